// Another process's memory and CPU time, from /proc/PID: what tests and
// service_bench measure the server they started with.
#ifndef SORN_TESTS_SUPPORT_PROCESS_STATUS_H_
#define SORN_TESTS_SUPPORT_PROCESS_STATUS_H_

#include <sys/types.h>

#include <cstdint>
#include <string_view>

namespace sorn {

// A field of /proc/PID/status in bytes ("VmRSS:", "VmHWM:", "VmSize:");
// -1 if the process or the field is not there.
int64_t ProcStatusBytes(pid_t pid, std::string_view field);

// Resident memory now (VmRSS), in bytes; -1 if unknown.
int64_t ResidentBytes(pid_t pid);

// Peak resident memory (VmHWM), in bytes; -1 if unknown.
int64_t PeakResidentBytes(pid_t pid);

// User + system CPU seconds the process has used so far.
double CpuSeconds(pid_t pid);

}  // namespace sorn

#endif  // SORN_TESTS_SUPPORT_PROCESS_STATUS_H_
