// Readers of /proc/PID/status and /proc/PID/stat (process_status.h).
#include "tests/support/process_status.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace sorn {

int64_t ProcStatusBytes(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) {
      return std::stoll(line.substr(field.size())) * 1024;
    }
  }
  return -1;
}

int64_t ResidentBytes(pid_t pid) { return ProcStatusBytes(pid, "VmRSS:"); }

int64_t PeakResidentBytes(pid_t pid) { return ProcStatusBytes(pid, "VmHWM:"); }

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the command (which may hold spaces) start after ')'.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  int64_t utime = 0, stime = 0;
  for (int k = 3; k <= 15; ++k) {
    rest >> field;
    if (k == 14) utime = std::stoll(field);
    if (k == 15) stime = std::stoll(field);
  }
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

}  // namespace sorn
