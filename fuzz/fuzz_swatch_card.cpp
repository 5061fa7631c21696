// fuzz_swatch_card: bytes as a swatch card's SVG → read_swatch_card_layout() (the metadata found,
// XML entities undone, the JSON layout parsed and checked). A layout that comes out must make
// the same SVG again and read back equal; the card is then read from a small grey photo at four
// corner marks taken from the input's last 64 bytes (any doubles, NaN and huge ones included).
//
// Bad input is answered with pigmatch::Error; anything else is a finding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "pigmatch/colour/transform.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/swatch_card.h"
#include "pigmatch/image/image.h"

namespace {

pigmatch::Image grey_photo() {
  pigmatch::Image image;
  image.width = 160;
  image.height = 120;
  image.channels = 3;
  image.bits = 8;
  image.pixels.assign(static_cast<std::size_t>(image.width) * image.height * 3, std::byte{150});
  return image;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  pigmatch::SwatchCardLayout layout;
  try {
    layout = pigmatch::read_swatch_card_layout(text, "fuzz.svg");
  } catch (const pigmatch::Error&) {
    return 0;
  }
  const pigmatch::SwatchCardLayout again =
      pigmatch::read_swatch_card_layout(pigmatch::swatch_card_svg(layout), "again.svg");
  if (again.pigments != layout.pigments || again.concentrations != layout.concentrations ||
      again.title != layout.title)
    std::abort();  // the card's own SVG must carry its layout unchanged
  if (size < 64)
    return 0;
  double values[8];
  std::memcpy(values, data + size - 64, sizeof values);
  std::array<pigmatch::Point, 4> marks{};
  for (std::size_t i = 0; i < 4; ++i)
    marks[i] = {values[2 * i], values[2 * i + 1]};
  static const pigmatch::Image photo = grey_photo();
  static const pigmatch::LabTransform transform = pigmatch::LabTransform::srgb({3, 8});
  try {
    (void)pigmatch::read_swatch_card(photo, transform, marks, layout);
  } catch (const pigmatch::Error&) {
  }
  return 0;
}
