// HEIF/HEIC with libheif: decoding the primary image (8 bits, or 10/12 bits widened to 16) with
// its ICC profile, or an ICC profile built with Little CMS from its nclx box; and encoding RGB
// as HEVC for the photo renderer and the tests.
//
// libheif reports every failure as a returned heif_error (it does not longjmp or throw), so the
// handles are plain RAII objects. Its own size limit and our DecodeLimits are both checked
// before anything of the image's size is allocated.
#include <fmt/format.h>
#include <lcms2.h>
#include <libheif/heif.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "image/heif_boxes.h"
#include "image/image_codecs.h"

namespace pigmatch::detail {
namespace {

struct ContextDeleter {
  void operator()(heif_context* c) const noexcept { heif_context_free(c); }
};
struct HandleDeleter {
  void operator()(heif_image_handle* h) const noexcept { heif_image_handle_release(h); }
};
struct ImageDeleter {
  void operator()(heif_image* i) const noexcept { heif_image_release(i); }
};
struct NclxDeleter {
  void operator()(heif_color_profile_nclx* n) const noexcept { heif_nclx_color_profile_free(n); }
};
struct EncoderDeleter {
  void operator()(heif_encoder* e) const noexcept { heif_encoder_release(e); }
};
struct EncodingOptionsDeleter {
  void operator()(heif_encoding_options* o) const noexcept { heif_encoding_options_free(o); }
};
using Context = std::unique_ptr<heif_context, ContextDeleter>;
using Handle = std::unique_ptr<heif_image_handle, HandleDeleter>;
using HeifImage = std::unique_ptr<heif_image, ImageDeleter>;
using Nclx = std::unique_ptr<heif_color_profile_nclx, NclxDeleter>;

// The fewest pixels one byte of HEVC data can carry: x265 at its lowest quality writes a flat
// 16.7 MP image in 4.3 kB (≈ 3 900 pixels a byte); 16× that leaves room for better encoders.
// Only a plausibility bound, so that a few hundred bytes declaring 200 MP are refused before
// libheif allocates them.
constexpr std::uint64_t kMostPixelsPerByte = 65'536;

// libheif's own per-side limit (its default is 32 768); ours is on the pixel count.
constexpr int kLongestSide = 65'535;

[[noreturn]] void fail_heif(ErrorCode code, std::string_view name, std::string_view what,
                            const heif_error& error) {
  fail(code, name,
       fmt::format("{}: {} — the file is damaged or not a photo; export it again (or as JPEG)",
                   what, error.message != nullptr ? error.message : "unknown error"));
}

ErrorCode code_of(const heif_error& error) {
  switch (error.code) {
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
      return ErrorCode::unsupported;
    case heif_error_Memory_allocation_error:
      return ErrorCode::too_large;
    default:
      return ErrorCode::corrupt_data;
  }
}

void check(const heif_error& error, std::string_view name, std::string_view what) {
  if (error.code != heif_error_Ok)
    fail_heif(code_of(error), name, what, error);
}

std::vector<std::uint8_t> save_profile(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  std::vector<std::uint8_t> bytes;
  if (profile != nullptr && cmsSaveProfileToMem(profile, nullptr, &size) != 0) {
    bytes.resize(size);
    if (cmsSaveProfileToMem(profile, bytes.data(), &size) == 0)
      bytes.clear();
  }
  cmsCloseProfile(profile);
  return bytes;
}

// The decoding curve (encoded value → linear light) of an H.273 transfer, as an ICC parametric
// curve; nullptr for a transfer a still photo's profile cannot express.
cmsToneCurve* decoding_curve(heif_transfer_characteristics transfer) {
  switch (transfer) {
    case heif_transfer_characteristic_unspecified:  // what browsers and libheif assume: sRGB
    case heif_transfer_characteristic_IEC_61966_2_1: {
      const cmsFloat64Number srgb[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
      return cmsBuildParametricToneCurve(nullptr, 4, srgb);
    }
    case heif_transfer_characteristic_ITU_R_BT_709_5:
    case heif_transfer_characteristic_ITU_R_BT_601_6:
    case heif_transfer_characteristic_ITU_R_BT_2020_2_10bit:
    case heif_transfer_characteristic_ITU_R_BT_2020_2_12bit: {
      // The inverse of the BT.709 camera curve (V = 1.099 L^0.45 − 0.099, 4.5 L below 0.018).
      const cmsFloat64Number bt709[5] = {1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081};
      return cmsBuildParametricToneCurve(nullptr, 4, bt709);
    }
    case heif_transfer_characteristic_linear:
      return cmsBuildGamma(nullptr, 1.0);
    case heif_transfer_characteristic_ITU_R_BT_470_6_System_M:
      return cmsBuildGamma(nullptr, 2.2);
    case heif_transfer_characteristic_ITU_R_BT_470_6_System_B_G:
      return cmsBuildGamma(nullptr, 2.8);
    default:
      return nullptr;
  }
}

// Red primaries of wide gamuts (P3, Rec. 2020) lie on the spectrum locus's straight edge,
// where x + y = 1.
bool plausible_chromaticity(float x, float y) {
  return std::isfinite(x) && std::isfinite(y) && x > 0 && y > 0 && x + y <= 1.0001F;
}

// An RGB ICC profile equivalent to the nclx box: its primaries and white (libheif decodes the
// code point to chromaticities) and its transfer. Unspecified primaries are BT.709's, as
// libheif's own conversion assumes.
std::vector<std::uint8_t> profile_from_nclx(const heif_color_profile_nclx& nclx,
                                            std::string_view name) {
  if (nclx.transfer_characteristics == heif_transfer_characteristic_ITU_R_BT_2100_0_PQ ||
      nclx.transfer_characteristics == heif_transfer_characteristic_ITU_R_BT_2100_0_HLG) {
    fail(ErrorCode::unsupported, name,
         "an HDR photo (PQ or HLG transfer), whose colours depend on the display — turn HDR "
         "off in the camera, or export the photo as an ordinary JPEG or HEIC");
  }
  cmsToneCurve* curve = decoding_curve(nclx.transfer_characteristics);
  if (curve == nullptr) {
    fail(ErrorCode::unsupported, name,
         fmt::format("its colour description uses transfer characteristic {}, which pigmatch "
                     "does not read — export the photo as JPEG with an ICC profile",
                     static_cast<int>(nclx.transfer_characteristics)));
  }
  const bool specified =
      nclx.color_primaries != heif_color_primaries_unspecified &&
      plausible_chromaticity(nclx.color_primary_red_x, nclx.color_primary_red_y) &&
      plausible_chromaticity(nclx.color_primary_green_x, nclx.color_primary_green_y) &&
      plausible_chromaticity(nclx.color_primary_blue_x, nclx.color_primary_blue_y) &&
      plausible_chromaticity(nclx.color_primary_white_x, nclx.color_primary_white_y);
  const cmsCIExyY white =
      specified ? cmsCIExyY{nclx.color_primary_white_x, nclx.color_primary_white_y, 1.0}
                : cmsCIExyY{0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE primaries =
      specified ? cmsCIExyYTRIPLE{{nclx.color_primary_red_x, nclx.color_primary_red_y, 1.0},
                                  {nclx.color_primary_green_x, nclx.color_primary_green_y, 1.0},
                                  {nclx.color_primary_blue_x, nclx.color_primary_blue_y, 1.0}}
                : cmsCIExyYTRIPLE{{0.64, 0.33, 1.0}, {0.30, 0.60, 1.0}, {0.15, 0.06, 1.0}};
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE profile = cmsCreateRGBProfile(&white, &primaries, curves);
  cmsFreeToneCurve(curve);
  std::vector<std::uint8_t> bytes = save_profile(profile);
  if (bytes.empty()) {
    fail(ErrorCode::unsupported, name,
         "its nclx colour description does not make a valid profile (primaries that are not a "
         "triangle?) — export the photo as JPEG with an ICC profile");
  }
  return bytes;
}

// The ICC profile that says what the decoded values mean: the file's own ('prof' or 'rICC'),
// else one built from its nclx box, else none (sRGB is then assumed, as for any photo).
std::vector<std::uint8_t> colour_profile(const heif_image_handle* handle, std::string_view name,
                                         const DecodeLimits& limits) {
  const heif_color_profile_type type = heif_image_handle_get_color_profile_type(handle);
  if (type == heif_color_profile_type_prof || type == heif_color_profile_type_rICC) {
    const std::size_t size = heif_image_handle_get_raw_color_profile_size(handle);
    check_icc_size(name, size, limits);
    std::vector<std::uint8_t> icc(size);
    check(heif_image_handle_get_raw_color_profile(handle, icc.data()), name,
          "cannot read the embedded ICC profile");
    return icc;
  }
  heif_color_profile_nclx* raw = nullptr;
  const heif_error error = heif_image_handle_get_nclx_color_profile(handle, &raw);
  const Nclx nclx(raw);
  if (error.code != heif_error_Ok || nclx == nullptr)
    return {};
  return profile_from_nclx(*nclx, name);
}

bool icc_is_grey(const std::vector<std::uint8_t>& icc) {
  constexpr std::size_t kColourSpaceOffset = 16;
  return icc.size() >= kColourSpaceOffset + 4 &&
         std::memcmp(icc.data() + kColourSpaceOffset, "GRAY", 4) == 0;
}

// Copies libheif's interleaved plane into the image's rows: 8-bit as is; deeper samples
// (10 or 12 significant bits in 16) widened to 16 bits by bit replication, so that full scale
// stays full scale. A grey image keeps the first of each decoded RGB triple.
void copy_pixels(const heif_image* decoded, int significant_bits, Image& image) {
  int stride = 0;
  const std::uint8_t* plane =
      heif_image_get_plane_readonly(decoded, heif_channel_interleaved, &stride);
  const std::size_t step = 3 / static_cast<std::size_t>(image.channels);  // 1 for RGB, 3 grey
  const std::size_t samples = static_cast<std::size_t>(image.width) * 3;
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* row = plane + static_cast<std::ptrdiff_t>(y) * stride;
    if (image.bits == 8) {
      auto* out = reinterpret_cast<std::uint8_t*>(image.pixels.data()) +
                  static_cast<std::size_t>(y) * image.row_stride();
      for (std::size_t i = 0, o = 0; i < samples; i += step, ++o)
        out[o] = row[i];
      continue;
    }
    const int shift_up = 16 - significant_bits;
    const int shift_down = significant_bits - shift_up;
    auto* out = reinterpret_cast<std::uint16_t*>(image.pixels.data() +
                                                 static_cast<std::size_t>(y) * image.row_stride());
    for (std::size_t i = 0, o = 0; i < samples; i += step, ++o) {
      std::uint16_t v = 0;
      std::memcpy(&v, row + 2 * i, 2);  // little-endian on every platform pigmatch builds on
      out[o] = static_cast<std::uint16_t>((v << shift_up) | (v >> shift_down));
    }
  }
}

// The limits every decoder applies to a declared size (image.cpp), with HEVC's best compression.
void check_declared_size(std::string_view name, std::string_view what, std::uint64_t width,
                         std::uint64_t height, std::uint64_t file_bytes,
                         const DecodeLimits& limits) {
  check_dimensions(name, what, width, height, limits);
  check_data_suffices(name, what, width, height, width * height / kMostPixelsPerByte, file_bytes);
}

// A grid or overlay is allocated at the size its description declares (libheif 1.15 compares it
// with nothing): the same limits as any image, before libheif decodes it.
void check_derived_images(std::span<const std::uint8_t> bytes, const std::string& name,
                          const DecodeLimits& limits) {
  const auto derived = heif_derived_images(bytes);
  if (!derived) {
    fail(ErrorCode::corrupt_data, name,
         "the HEIF boxes that describe its tiled image cannot be read — the file is damaged; "
         "export the photo again");
  }
  for (const HeifDerivedImage& image : *derived)
    check_declared_size(name, std::string("HEIF ") + image.type, image.width, image.height,
                        bytes.size(), limits);
}

}  // namespace

bool is_heif(std::span<const std::uint8_t> bytes) noexcept {
  constexpr std::size_t kFtypEnd = 12;
  if (bytes.size() < kFtypEnd || std::memcmp(bytes.data() + 4, "ftyp", 4) != 0)
    return false;
  const int length = static_cast<int>(std::min<std::size_t>(bytes.size(), 4096));
  const heif_filetype_result type = heif_check_filetype(bytes.data(), length);
  return type == heif_filetype_yes_supported || type == heif_filetype_yes_unsupported;
}

Image decode_heif(std::span<const std::uint8_t> bytes, const std::string& name,
                  const DecodeLimits& limits) {
  check_derived_images(bytes, name, limits);
  const Context context(heif_context_alloc());
  if (context == nullptr)
    fail(ErrorCode::too_large, name, "not enough memory to decode this HEIF image");
  heif_context_set_maximum_image_size_limit(context.get(), kLongestSide);
  check(heif_context_read_from_memory_without_copy(context.get(), bytes.data(), bytes.size(),
                                                   nullptr),
        name, "HEIF structure cannot be read");
  heif_image_handle* raw_handle = nullptr;
  check(heif_context_get_primary_image_handle(context.get(), &raw_handle), name,
        "HEIF file has no primary image");
  const Handle handle(raw_handle);

  const int declared_width = heif_image_handle_get_width(handle.get());
  const int declared_height = heif_image_handle_get_height(handle.get());
  check_declared_size(name, "HEIF", static_cast<std::uint64_t>(std::max(declared_width, 0)),
                      static_cast<std::uint64_t>(std::max(declared_height, 0)), bytes.size(),
                      limits);
  const int luma_bits = heif_image_handle_get_luma_bits_per_pixel(handle.get());
  if (luma_bits < 1 || luma_bits > 16) {
    fail(ErrorCode::corrupt_data, name,
         "HEIF image declares no valid bit depth — the file is damaged; export it again");
  }
  std::vector<std::uint8_t> icc = colour_profile(handle.get(), name, limits);

  const bool deep = luma_bits > 8;
  heif_image* raw_decoded = nullptr;
  check(heif_decode_image(handle.get(), &raw_decoded, heif_colorspace_RGB,
                          deep ? heif_chroma_interleaved_RRGGBB_LE : heif_chroma_interleaved_RGB,
                          nullptr),
        name, "HEIF image cannot be decoded");
  const HeifImage decoded(raw_decoded);
  const int width = heif_image_get_width(decoded.get(), heif_channel_interleaved);
  const int height = heif_image_get_height(decoded.get(), heif_channel_interleaved);
  const int significant_bits =
      heif_image_get_bits_per_pixel_range(decoded.get(), heif_channel_interleaved);
  if (width != declared_width || height != declared_height ||
      significant_bits != (deep ? luma_bits : 8)) {
    fail(ErrorCode::corrupt_data, name,
         fmt::format("HEIF image decodes to {} × {} at {} bits but declares {} × {} at {} — the "
                     "file is damaged; export it again",
                     width, height, significant_bits, declared_width, declared_height, luma_bits));
  }
  const int channels = icc_is_grey(icc) ? 1 : 3;
  Image image = allocate_image(name, ImageFormat::heif, width, height, channels, deep ? 16 : 8);
  copy_pixels(decoded.get(), significant_bits, image);
  image.icc_profile = std::move(icc);
  return image;
}

}  // namespace pigmatch::detail

namespace pigmatch {
namespace {

using detail::name_of;

heif_error write_to_vector(heif_context* /*context*/, const void* data, std::size_t size,
                           void* userdata) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(userdata);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
  return heif_error{heif_error_Ok, heif_suberror_Unspecified, "Success"};
}

void check_encode(const heif_error& error, const Image& image, std::string_view what) {
  if (error.code != heif_error_Ok) {
    throw Error(ErrorCode::io, fmt::format("{}: HEIF encoding failed ({}): {}", name_of(image),
                                           what, error.message != nullptr ? error.message : "?"));
  }
}

void require_heif_options(const Image& image, const HeifWriteOptions& options) {
  detail::require_writable_layout(image, true, "HEIF");
  if (image.channels != 3) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: HEIF writing needs an RGB image, not {} channel(s)",
                            name_of(image), image.channels));
  }
  if (options.bits != 8 && options.bits != 10) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: HEIF bits must be 8 or 10, not {}", name_of(image), options.bits));
  }
  if (options.orientation < 1 || options.orientation > 8) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: HEIF orientation must be 1–8 (as EXIF), not {}", name_of(image),
                            options.orientation));
  }
  if (options.quality < 0 || options.quality > 100) {
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: HEIF quality must be 0–100, not {}",
                                                         name_of(image), options.quality));
  }
}

// The image's samples rescaled to `bits` (8 or 10) into libheif's interleaved plane.
void fill_plane(const Image& image, int bits, heif_image* target) {
  int stride = 0;
  std::uint8_t* plane = heif_image_get_plane(target, heif_channel_interleaved, &stride);
  const double in_max = image.bits == 16 ? 65535.0 : 255.0;
  const double out_max = bits == 10 ? 1023.0 : 255.0;
  const std::size_t samples = static_cast<std::size_t>(image.width) * 3;
  for (int y = 0; y < image.height; ++y) {
    std::uint8_t* row = plane + static_cast<std::ptrdiff_t>(y) * stride;
    for (std::size_t i = 0; i < samples; ++i) {
      const double in = image.bits == 16 ? image.row16(y)[i] : image.row8(y)[i];
      const auto out = static_cast<std::uint16_t>(std::lround(in * out_max / in_max));
      if (bits == 8) {
        row[i] = static_cast<std::uint8_t>(out);
      } else {
        std::memcpy(row + 2 * i, &out, 2);  // little-endian, as RRGGBB_LE says
      }
    }
  }
}

heif_color_profile_nclx* fill_nclx(heif_color_profile_nclx* nclx, const NclxColour& colour) {
  nclx->color_primaries = static_cast<heif_color_primaries>(colour.primaries);
  nclx->transfer_characteristics = static_cast<heif_transfer_characteristics>(colour.transfer);
  nclx->matrix_coefficients = static_cast<heif_matrix_coefficients>(colour.matrix);
  nclx->full_range_flag = colour.full_range ? 1 : 0;
  return nclx;
}

}  // namespace

std::vector<std::uint8_t> encode_heif(const Image& image, const HeifWriteOptions& options) {
  require_heif_options(image, options);
  const detail::Context context(heif_context_alloc());
  heif_encoder* raw_encoder = nullptr;
  if (heif_context_get_encoder_for_format(context.get(), heif_compression_HEVC, &raw_encoder)
          .code != heif_error_Ok) {
    throw Error(ErrorCode::unsupported,
                fmt::format("{}: this libheif has no HEVC encoder — install libheif with x265",
                            name_of(image)));
  }
  const std::unique_ptr<heif_encoder, detail::EncoderDeleter> encoder(raw_encoder);
  heif_encoder_set_logging_level(encoder.get(), 0);
  check_encode(heif_encoder_set_lossy_quality(encoder.get(), options.quality), image, "quality");

  heif_image* raw_image = nullptr;
  check_encode(heif_image_create(image.width, image.height, heif_colorspace_RGB,
                                 options.bits == 8 ? heif_chroma_interleaved_RGB
                                                   : heif_chroma_interleaved_RRGGBB_LE,
                                 &raw_image),
               image, "image");
  const detail::HeifImage pixels(raw_image);
  check_encode(heif_image_add_plane(pixels.get(), heif_channel_interleaved, image.width,
                                    image.height, options.bits),
               image, "plane");
  fill_plane(image, options.bits, pixels.get());

  // The nclx box always names the YCbCr matrix, so that a decoder need not guess it; the
  // colours are the ICC profile's when there is one and no nclx colours were asked for.
  const detail::Nclx nclx(heif_nclx_color_profile_alloc());
  fill_nclx(nclx.get(), options.nclx.value_or(NclxColour{1, 13, 6, true}));
  const bool embed_icc = !options.nclx && !image.icc_profile.empty();
  if (embed_icc) {
    check_encode(heif_image_set_raw_color_profile(pixels.get(), "prof", image.icc_profile.data(),
                                                  image.icc_profile.size()),
                 image, "ICC profile");
  }
  check_encode(heif_image_set_nclx_color_profile(pixels.get(), nclx.get()), image, "nclx");
  const std::unique_ptr<heif_encoding_options, detail::EncodingOptionsDeleter> encoding(
      heif_encoding_options_alloc());
  encoding->save_two_colr_boxes_when_ICC_and_nclx_available = 1;
  // libheif leaves the nclx box out by default (old macOS could not show such files); without
  // it the matrix and an nclx-described file's colours would be guessed.
  encoding->macOS_compatibility_workaround_no_nclx_profile = 0;
  encoding->output_nclx_profile = nclx.get();
  encoding->image_orientation = static_cast<heif_orientation>(options.orientation);
  check_encode(heif_context_encode_image(context.get(), pixels.get(), encoder.get(), encoding.get(),
                                         nullptr),
               image, "HEVC");

  std::vector<std::uint8_t> bytes;
  heif_writer writer{1, write_to_vector};
  check_encode(heif_context_write(context.get(), &writer, &bytes), image, "container");
  return bytes;
}

void write_heif(const Image& image, const std::filesystem::path& path,
                const HeifWriteOptions& options) {
  detail::write_file_bytes(path, encode_heif(image, options));
}

}  // namespace pigmatch
