// `sornctl simulate` and `sornctl train`: the RunRequest from the flags, the
// streamed activity gathered batch by batch (with a progress bar on a
// terminal), the .npy files of --out=PREFIX and the one-line summary.
#ifndef SORN_CLIENT_CPP_SORNCTL_RUN_H_
#define SORN_CLIENT_CPP_SORNCTL_RUN_H_

#include "absl/status/status.h"
#include "client/cpp/sorn_client.h"
#include "client/cpp/sornctl_args.h"

namespace sorn::ctl {

// Runs session args.positional[0]: simulates, or trains if `train`.
absl::Status Run(client::SornClient& client, const Args& args, bool train);

}  // namespace sorn::ctl

#endif  // SORN_CLIENT_CPP_SORNCTL_RUN_H_
