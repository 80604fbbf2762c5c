// Presets: the parameters of a published SORN model in one name, as the
// Triesch lab's code sets it up (docs/SPEC.md, "Presets"). A session starts
// from a preset and overrides what its caller sets.
#ifndef SORN_CORE_PRESETS_H_
#define SORN_CORE_PRESETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/params.h"

namespace sorn {

// The params of preset `name` ("lazar2009", "zheng2013", "delpapa2017"),
// or the reference's defaults for "" and "sorn". INVALID_ARGUMENT naming
// the known presets for any other name. Names are matched in any case.
absl::StatusOr<Params> PresetParams(const std::string& name);

// The known preset names, in the order above ("sorn" first).
std::vector<std::string> PresetNames();

}  // namespace sorn

#endif  // SORN_CORE_PRESETS_H_
