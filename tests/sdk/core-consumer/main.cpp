// Loads the plugins the registry finds and prints the D50 Lab of a perfect white (100, 0, 0).
#include <cstdio>

#include "pigmatch/colour/spectrum.h"
#include "pigmatch/plugin_host/plugin_host.h"

int main() {
  const pigmatch::PluginRegistry registry(pigmatch::default_search_paths());
  const pigmatch::Lab white = pigmatch::to_lab(pigmatch::Spectrum::constant(1.0));
  std::printf("plugins=%zu catalogs=%zu L=%.3f\n", registry.plugins().size(),
              registry.catalogs().size(), white.L);
  return white.L > 99.99 && white.L < 100.01 ? 0 : 1;
}
