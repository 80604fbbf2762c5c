// `sornctl step` (the reinforcement-learning loop from a file or from
// standard input, one JSON line per step) and `sornctl fit-readout` /
// `delete-readout`.
#ifndef SORN_CLIENT_CPP_SORNCTL_LOOP_H_
#define SORN_CLIENT_CPP_SORNCTL_LOOP_H_

#include "absl/status/status.h"
#include "client/cpp/sorn_client.h"
#include "client/cpp/sornctl_args.h"

namespace sorn::ctl {

// step NAME [--inputs=FILE.npy (nu x T)] [--readouts=a,b] [--phase=training]
// [--no_noise]: one Step request per input column, or per line of standard
// input (nu numbers separated by spaces or commas) until its end; prints
// {"step":N,"x":[active neurons],"readouts":{"a":{"class":C,"scores":[..]}}}
// per step.
absl::Status StepLoop(client::SornClient& client, const Args& args);

// fit-readout NAME READOUT (--labels=FILE.npy [--classes=N] |
// --values=FILE.npy (T x outputs)) [--skip_last=N] [--regularization=R]
// [--population=excitatory|inhibitory|recurrent] [--include_input]
// [--no_bias]: fits on the session's most recent recorded steps.
absl::Status FitReadout(client::SornClient& client, const Args& args);
// delete-readout NAME READOUT.
absl::Status DeleteReadout(client::SornClient& client, const Args& args);

}  // namespace sorn::ctl

#endif  // SORN_CLIENT_CPP_SORNCTL_LOOP_H_
