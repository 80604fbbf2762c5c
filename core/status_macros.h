// The project's status-propagation macros. Debian's Abseil (20220623) ships
// no status macros, so core and server share this header instead.
#ifndef SORN_CORE_STATUS_MACROS_H_
#define SORN_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// when it is not OK.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    const ::absl::Status sorn_status_ = (expr);  \
    if (!sorn_status_.ok()) return sorn_status_; \
  } while (false)

// Evaluates `expr` (an absl::StatusOr<T>); returns its status from the
// enclosing function when it is not OK, else moves its value into `lhs`
// (a declaration such as `Network net` or an existing variable). It expands
// to several statements: put it in braces under an `if`.
#define ASSIGN_OR_RETURN(lhs, expr)                                          \
  SORN_ASSIGN_OR_RETURN_(SORN_STATUS_CONCAT_(sorn_statusor_, __LINE__), lhs, \
                         expr)

#define SORN_STATUS_CONCAT_INNER_(a, b) a##b
#define SORN_STATUS_CONCAT_(a, b) SORN_STATUS_CONCAT_INNER_(a, b)
#define SORN_ASSIGN_OR_RETURN_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = *std::move(tmp)

#endif  // SORN_CORE_STATUS_MACROS_H_
