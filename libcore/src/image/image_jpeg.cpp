// JPEG decoding with libjpeg-turbo: 8-bit grey or RGB, the APP2 ICC profile (any number of
// chunks) and the APP1 EXIF orientation.
//
// libjpeg reports fatal errors through a callback that must not return. C++ exceptions must
// not cross libjpeg's C frames, so the callback records what went wrong and longjmps back to
// run_guarded(); the frames it skips (libjpeg's and the small stage functions below) own no
// C++ object with a destructor. The C++ side then throws pigmatch::Error.
#include <algorithm>
#include <csetjmp>
#include <cstdlib>
#include <cstring>

// jpeglib.h needs FILE and size_t declared before it.
// clang-format off
#include <cstdio>
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include "image/image_codecs.h"

namespace pigmatch::detail {
namespace {

// A crafted progressive JPEG can hold thousands of tiny scans and take minutes to decode;
// real encoders write about ten. (libjpeg-turbo's own tools guard the same way.)
constexpr int kMaxScans = 1000;
constexpr std::size_t kIccMarkerHeaderBytes = 14;  // "ICC_PROFILE\0" + sequence + count
constexpr std::size_t kExifHeaderBytes = 6;        // "Exif\0\0"

enum class JpegFailure { none, error, truncated, damaged, too_many_scans };

struct JpegSession {
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr err;  // libjpeg's view of the error manager; see session_of()
  jpeg_progress_mgr progress;
  std::jmp_buf jump;
  JpegFailure failure;
  int msg_code;
  char message[JMSG_LENGTH_MAX];
  bool created;
};

JpegSession& session_of(j_common_ptr cinfo) {
  return *static_cast<JpegSession*>(cinfo->client_data);
}

[[noreturn]] void abort_decoding(j_common_ptr cinfo, JpegFailure failure) {
  JpegSession& session = session_of(cinfo);
  session.failure = failure;
  session.msg_code = cinfo->err->msg_code;
  (*cinfo->err->format_message)(cinfo, session.message);
  std::longjmp(session.jump, 1);
}

void on_error_exit(j_common_ptr cinfo) {
  abort_decoding(cinfo, JpegFailure::error);
}

// Warnings that mean the pixels are guesses (missing or garbled data) stop decoding: a photo
// with invented pixels must not be measured. Harmless quirks of real cameras are ignored.
bool warning_is_harmless(int msg_code) {
  return msg_code == JWRN_EXTRANEOUS_DATA || msg_code == JWRN_JFIF_MAJOR ||
         msg_code == JWRN_ADOBE_XFORM || msg_code == JWRN_BOGUS_ICC;
}

void on_emit_message(j_common_ptr cinfo, int msg_level) {
  if (msg_level >= 0)
    return;  // trace output
  const int code = cinfo->err->msg_code;
  if (code == JWRN_JPEG_EOF)
    abort_decoding(cinfo, JpegFailure::truncated);
  if (!warning_is_harmless(code))
    abort_decoding(cinfo, JpegFailure::damaged);
}

void on_output_message(j_common_ptr) {}  // never print to stderr

void on_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor)
    return;
  const auto* dinfo = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (dinfo->input_scan_number > kMaxScans)
    abort_decoding(cinfo, JpegFailure::too_many_scans);
}

// Runs one libjpeg stage; false when libjpeg failed (details in the session).
bool run_guarded(JpegSession& session, void (*stage)(JpegSession&, void*), void* arg) {
  if (setjmp(session.jump) != 0)
    return false;
  stage(session, arg);
  return true;
}

struct MemorySource {
  const std::uint8_t* data;
  unsigned long size;
};

void stage_read_header(JpegSession& s, void* arg) {
  const auto* source = static_cast<const MemorySource*>(arg);
  jpeg_create_decompress(&s.cinfo);  // keeps err and client_data
  s.created = true;
  s.cinfo.progress = &s.progress;
  jpeg_mem_src(&s.cinfo, source->data, source->size);
  jpeg_save_markers(&s.cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_save_markers(&s.cinfo, JPEG_APP0 + 2, 0xFFFF);
  jpeg_read_header(&s.cinfo, TRUE);
}

struct IccResult {
  JOCTET* data;
  unsigned int size;
  boolean ok;
};

void stage_read_icc(JpegSession& s, void* arg) {
  auto* icc = static_cast<IccResult*>(arg);
  icc->ok = jpeg_read_icc_profile(&s.cinfo, &icc->data, &icc->size);
}

void stage_start(JpegSession& s, void*) {
  jpeg_start_decompress(&s.cinfo);
}

struct Rows {
  std::byte* first;
  std::size_t stride;
};

// Decodes straight into the output image, several rows per call.
void stage_read_rows(JpegSession& s, void* arg) {
  const auto* rows = static_cast<const Rows*>(arg);
  constexpr JDIMENSION kBatch = 16;
  JSAMPROW pointers[kBatch];
  while (s.cinfo.output_scanline < s.cinfo.output_height) {
    const JDIMENSION first = s.cinfo.output_scanline;
    const JDIMENSION count = std::min(kBatch, s.cinfo.output_height - first);
    for (JDIMENSION i = 0; i < count; ++i) {
      pointers[i] = reinterpret_cast<JSAMPROW>(rows->first + (first + i) * rows->stride);
    }
    jpeg_read_scanlines(&s.cinfo, pointers, count);
  }
  jpeg_finish_decompress(&s.cinfo);
}

class SessionGuard {
 public:
  explicit SessionGuard(JpegSession& s) : s_(s) {}
  ~SessionGuard() {
    if (s_.created)
      jpeg_destroy_decompress(&s_.cinfo);
  }
  SessionGuard(const SessionGuard&) = delete;
  SessionGuard& operator=(const SessionGuard&) = delete;

 private:
  JpegSession& s_;
};

[[noreturn]] void fail_from_libjpeg(const JpegSession& s, const std::string& name) {
  const std::string detail = std::string(" (libjpeg: ") + s.message + ")";
  switch (s.failure) {
    case JpegFailure::truncated:
      fail(ErrorCode::corrupt_data, name,
           "JPEG data ends early (truncated file?) — re-export or copy the file again");
    case JpegFailure::too_many_scans:
      fail(ErrorCode::corrupt_data, name,
           "JPEG has more than " + std::to_string(kMaxScans) +
               " progressive scans, which no camera writes — the file is damaged or crafted");
    case JpegFailure::damaged:
      fail(ErrorCode::corrupt_data, name,
           "JPEG data is damaged" + detail + " — re-export or copy the file again");
    case JpegFailure::error:
    case JpegFailure::none:
      break;
  }
  if (s.msg_code == JERR_BAD_PRECISION) {
    fail(ErrorCode::unsupported, name,
         "only 8-bit JPEGs are supported" + detail + " — export the photo as 8-bit JPEG or TIFF");
  }
  if (s.msg_code == JERR_IMAGE_TOO_BIG) {
    fail(ErrorCode::too_large, name,
         "JPEG image is larger than libjpeg accepts" + detail + " — resize the photo");
  }
  if (s.msg_code == JERR_OUT_OF_MEMORY) {
    fail(ErrorCode::too_large, name, "not enough memory to decode this JPEG" + detail);
  }
  fail(ErrorCode::corrupt_data, name,
       "JPEG data is damaged" + detail + " — re-export or copy the file again");
}

bool is_marker(const jpeg_saved_marker_ptr marker, int code, const char* prefix,
               std::size_t prefix_bytes) {
  return marker->marker == code && marker->data_length >= prefix_bytes &&
         std::memcmp(marker->data, prefix, prefix_bytes) == 0;
}

std::vector<std::uint8_t> read_icc_profile(JpegSession& s, const std::string& name,
                                           const DecodeLimits& limits) {
  std::uint64_t declared = 0;
  for (auto m = s.cinfo.marker_list; m != nullptr; m = m->next) {
    if (is_marker(m, JPEG_APP0 + 2, "ICC_PROFILE", kIccMarkerHeaderBytes - 2)) {
      declared += m->data_length - std::min<std::size_t>(m->data_length, kIccMarkerHeaderBytes);
    }
  }
  if (declared == 0)
    return {};
  check_icc_size(name, declared, limits);
  IccResult icc{nullptr, 0, FALSE};
  const bool ran = run_guarded(s, stage_read_icc, &icc);
  if (!ran || !icc.ok || icc.data == nullptr) {
    std::free(icc.data);
    fail(ErrorCode::corrupt_data, name,
         "the embedded ICC profile is damaged (its JPEG APP2 chunks are missing or out of "
         "order) — re-export the photo with its colour profile");
  }
  std::vector<std::uint8_t> profile(icc.data, icc.data + icc.size);
  std::free(icc.data);
  return profile;
}

int read_orientation(const JpegSession& s) {
  for (auto m = s.cinfo.marker_list; m != nullptr; m = m->next) {
    if (is_marker(m, JPEG_APP0 + 1, "Exif\0", kExifHeaderBytes)) {
      return exif_orientation(
          std::span<const std::uint8_t>(m->data, m->data_length).subspan(kExifHeaderBytes));
    }
  }
  return 1;
}

int output_channels(JpegSession& s, const std::string& name) {
  switch (s.cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
      s.cinfo.out_color_space = JCS_GRAYSCALE;
      return 1;
    case JCS_YCbCr:
    case JCS_RGB:
      s.cinfo.out_color_space = JCS_RGB;
      return 3;
    case JCS_CMYK:
    case JCS_YCCK:
      fail(ErrorCode::unsupported, name,
           "CMYK JPEGs are not supported — export the photo as RGB (sRGB or with its ICC "
           "profile)");
    default:
      fail(ErrorCode::unsupported, name,
           "JPEG has " + std::to_string(s.cinfo.num_components) +
               " colour channels of an unknown kind — export the photo as RGB");
  }
}

// jpeg_start_decompress() allocates for the whole image (progressive and multi-scan files keep
// every coefficient), so a small file declaring a huge image is refused before it, from what the
// header says. With Huffman coding every block of a scan costs at least one bit (its DC or first
// AC code), so the blocks of the first scan, whose header jpeg_read_header() has read, need at
// least blocks / 8 bytes. Arithmetic coding has no such floor — an all-black image of any size
// fits in a few bytes — and no camera or phone writes it, so it is refused.
void check_scan_data_fits(const JpegSession& s, const std::string& name, std::size_t file_bytes) {
  if (s.cinfo.arith_code) {
    fail(ErrorCode::unsupported, name,
         "JPEG with arithmetic coding is not supported (no camera or phone writes it) — save the "
         "photo as a standard (Huffman-coded) JPEG, PNG or TIFF");
  }
  std::uint64_t blocks = 0;
  for (int i = 0; i < s.cinfo.comps_in_scan; ++i) {
    const jpeg_component_info* component = s.cinfo.cur_comp_info[i];
    blocks += static_cast<std::uint64_t>(component->width_in_blocks) * component->height_in_blocks;
  }
  check_data_suffices(name, "JPEG", s.cinfo.image_width, s.cinfo.image_height, (blocks + 7) / 8,
                      file_bytes);
}

}  // namespace

Image decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& name,
                  const DecodeLimits& limits) {
  JpegSession s{};
  s.cinfo.err = jpeg_std_error(&s.err);
  s.cinfo.client_data = &s;
  s.err.error_exit = on_error_exit;
  s.err.emit_message = on_emit_message;
  s.err.output_message = on_output_message;
  s.progress.progress_monitor = on_progress;
  SessionGuard guard(s);

  MemorySource source{bytes.data(), static_cast<unsigned long>(bytes.size())};
  if (!run_guarded(s, stage_read_header, &source))
    fail_from_libjpeg(s, name);

  const int channels = output_channels(s, name);
  check_dimensions(name, "JPEG", s.cinfo.image_width, s.cinfo.image_height, limits);
  check_scan_data_fits(s, name, bytes.size());
  std::vector<std::uint8_t> icc = read_icc_profile(s, name, limits);
  const int orientation = read_orientation(s);

  if (!run_guarded(s, stage_start, nullptr))
    fail_from_libjpeg(s, name);
  if (s.cinfo.output_components != channels) {
    fail(ErrorCode::unsupported, name, "JPEG colour layout is not supported");
  }
  Image image = allocate_image(name, ImageFormat::jpeg, static_cast<int>(s.cinfo.output_width),
                               static_cast<int>(s.cinfo.output_height), channels, 8);
  Rows rows{image.pixels.data(), image.row_stride()};
  if (!run_guarded(s, stage_read_rows, &rows))
    fail_from_libjpeg(s, name);

  image.icc_profile = std::move(icc);
  image.exif_orientation = orientation;
  return image;
}

}  // namespace pigmatch::detail
