// Plausibility checks of an input profile that Little CMS accepts but that cannot describe a
// camera or a display: "profiles that lie" (docs/robustness.md). Used by LabTransform.
#pragma once

#include <lcms2.h>

#include <optional>
#include <string>

#include "pigmatch/colour/transform.h"

namespace pigmatch::detail {

/// Why `profile` cannot be trusted to turn device colours into Lab, or nothing. `to_lab` is the
/// float transform built from it for `layout` (output TYPE_Lab_FLT). Checks, in this order: a
/// matrix/shaper RGB profile's colorant matrix (each entry within ±50, columns independent), then
/// the Lab of the 3ⁿ device colours at 0, ½ and full scale (finite, L* in −50…300, |a*|, |b*|
/// ≤ 1000: far outside anything a real profile gives, well inside what a made-up one does; NaN
/// cannot get here from a file, Little CMS refuses it in float tags, but a pipeline can overflow).
/// A matrix/shaper's probe colours are bounded in XYZ instead (|X|, |Y|, |Z| ≤ 15, what three
/// plausible colorants give): a camera matrix fitted under warm light can map a full-scale
/// primary to a slightly negative Y or Z, far outside Lab's real colours but harmless.
std::optional<std::string> implausible_input_profile(cmsHPROFILE profile, cmsHTRANSFORM to_lab,
                                                     PixelLayout layout);

}  // namespace pigmatch::detail
