#!/usr/bin/env python3
"""Reads ThreadSanitizer logs (log_path=...) of a TSan-built sorn-server and
fails on any report that lands in this project's code.

Why a filter: Debian's gRPC, protobuf and Abseil are not built with TSan, so
TSan cannot see how gRPC hands a call from one of its threads to another and
reports races inside gRPC's own code (and in generated message code and
standard containers it drives). For each report we take, in every stack, the
first frame that is not the standard library or a sanitizer interceptor: if
that frame is in core/ or server/ (not generated protobuf code) for every
access of the report, the report is ours and fails the run; otherwise it is
counted as a report involving uninstrumented libraries. Our own locks
(server/mutex.h) are visible to TSan, so a race between two accesses that
are both ours is real; a race with an access inside gRPC cannot be judged
(gRPC's synchronization is invisible) and is counted, not failed.

usage: tsan_reports.py REPO_ROOT LOG_FILE...
"""
import re
import sys

FRAME = re.compile(r"^\s+#(\d+) (.*?) (\S+:\d+(?::\d+)?|\(\S+\+0x[0-9a-f]+\)|<null>)")
ACCESS = re.compile(r"^\s+(Previous )?(atomic )?(write|read) of size", re.IGNORECASE)


def first_frames(report):
    """For each access stack of a report, its first frame that is neither
    standard-library code inlined from /usr/include/c++ nor a sanitizer
    interceptor: (function, location)."""
    firsts, header, decided = [], "", True
    for line in report:
        m = FRAME.match(line)
        if not m:
            header, decided = line, not ACCESS.match(line)
            continue
        if decided:
            continue
        function, location = m.group(2), m.group(3)
        if "libsanitizer" in location or location.startswith("/usr/include/c++/"):
            continue
        firsts.append((function, location))
        decided = True
    return firsts


def is_ours(location, prefixes):
    return location.startswith(prefixes)


def main():
    root = sys.argv[1].rstrip("/")
    ours_prefixes = (root + "/server/", root + "/core/")
    ours, theirs = [], 0
    for path in sys.argv[2:]:
        with open(path, errors="replace") as f:
            lines = f.read().splitlines()
        report = []
        for line in lines:
            if line.startswith("WARNING: ThreadSanitizer"):
                report = [line]
            elif line.startswith("SUMMARY: ThreadSanitizer"):
                report.append(line)
                firsts = first_frames(report)
                if firsts and all(is_ours(f[1], ours_prefixes) for f in firsts):
                    ours.append("\n".join(report))
                else:
                    theirs += 1
                report = []
            elif report:
                report.append(line)
    print(f"tsan: {theirs} report(s) inside uninstrumented gRPC/protobuf/Abseil "
          f"code (ignored), {len(ours)} in sorn-server's code")
    for r in ours:
        print(r)
        print()
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
