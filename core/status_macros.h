// The project's one status-propagation macro. Debian's Abseil (20220623) ships
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

#endif  // SORN_CORE_STATUS_MACROS_H_
