// Reaches past the SDK into libcore's C++ API (see CMakeLists.txt): the SDK's include root does
// not hold this header, so the build fails here.
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/plugin.h"

int sdk_boundary_pigments() {
  return static_cast<int>(pigmatch::Catalog{}.pigments.size());
}
