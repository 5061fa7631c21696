// Writes data/samples/colorchecker-srgb.jpg: a ColorChecker Classic 24 drawn from X-Rite's
// published Lab D50 values (post-Nov-2014), converted to sRGB with Little CMS, with mild
// seeded noise, encoded as a JPEG with the sRGB ICC profile embedded.
//
// It is the demo input of `pigmatch lab` until the physically rendered photos of the measurement
// issue replace it. Dev tool: it reads ../shared/data at build-the-sample time; the product never
// does. Usage: make_sample_chart XRITE_LAB_CSV OUT.jpg
// jpeglib.h needs size_t and FILE declared before it.
#include <cstddef>
#include <cstdio>

#include <jpeglib.h>
#include <lcms2.h>

#include <array>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int patch_size = 80;
constexpr int gap = 20;
constexpr int columns = 6;
constexpr int rows = 4;
constexpr int width = columns * (patch_size + gap) + gap;
constexpr int height = rows * (patch_size + gap) + gap;

std::vector<cmsCIELab> read_reference(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header: patch_index,name,L,a,b
  std::vector<cmsCIELab> patches;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string index, name, L, a, b;
    std::getline(fields, index, ',');
    std::getline(fields, name, ',');
    std::getline(fields, L, ',');
    std::getline(fields, a, ',');
    std::getline(fields, b, ',');
    if (!L.empty()) patches.push_back({std::stod(L), std::stod(a), std::stod(b)});
  }
  return patches;
}

std::vector<unsigned char> render(const std::vector<cmsCIELab>& patches) {
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHTRANSFORM to_srgb = cmsCreateTransform(lab, TYPE_Lab_DBL, srgb, TYPE_RGB_DBL,
                                             INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * 3, 0);
  std::mt19937 random(20261121);
  std::normal_distribution<double> noise(0.0, 1.2);  // in 8-bit code values
  const cmsCIELab surround{22.0, 0.0, 0.0};           // the chart's black body
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int col = (x - gap) / (patch_size + gap);
      const int row = (y - gap) / (patch_size + gap);
      const bool inside = x >= gap && y >= gap && (x - gap) % (patch_size + gap) < patch_size &&
                          (y - gap) % (patch_size + gap) < patch_size && col < columns && row < rows;
      const cmsCIELab colour = inside ? patches.at(static_cast<std::size_t>(row * columns + col)) : surround;
      std::array<double, 3> rgb{};
      cmsDoTransform(to_srgb, &colour, rgb.data(), 1);
      for (int c = 0; c < 3; ++c) {
        const double v = rgb[static_cast<std::size_t>(c)] * 255.0 + noise(random);
        pixels[(static_cast<std::size_t>(y) * width + x) * 3 + c] =
            static_cast<unsigned char>(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
      }
    }
  }
  cmsDeleteTransform(to_srgb);
  cmsCloseProfile(lab);
  cmsCloseProfile(srgb);
  return pixels;
}

std::vector<unsigned char> srgb_profile_bytes() {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(srgb, nullptr, &size);
  std::vector<unsigned char> bytes(size);
  cmsSaveProfileToMem(srgb, bytes.data(), &size);
  cmsCloseProfile(srgb);
  return bytes;
}

bool write_jpeg(const std::string& path, const std::vector<unsigned char>& pixels,
                const std::vector<unsigned char>& icc) {
  FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return false;
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr jerr{};
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, out);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 95, TRUE);
  for (int c = 0; c < 3; ++c) {  // 4:4:4, so patch colours are not smeared by chroma subsampling
    cinfo.comp_info[c].h_samp_factor = 1;
    cinfo.comp_info[c].v_samp_factor = 1;
  }
  jpeg_start_compress(&cinfo, TRUE);
  jpeg_write_icc_profile(&cinfo, icc.data(), static_cast<unsigned int>(icc.size()));
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(&pixels[static_cast<std::size_t>(cinfo.next_scanline) * width * 3]);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return std::fclose(out) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_sample_chart XRITE_LAB_CSV OUT.jpg\n";
    return 2;
  }
  const auto patches = read_reference(argv[1]);
  if (patches.size() != 24) {
    std::cerr << "make_sample_chart: expected 24 patches in " << argv[1] << ", read " << patches.size() << "\n";
    return 1;
  }
  if (!write_jpeg(argv[2], render(patches), srgb_profile_bytes())) {
    std::cerr << "make_sample_chart: cannot write " << argv[2] << "\n";
    return 1;
  }
  std::cout << "wrote " << argv[2] << " (" << width << "x" << height << "); patch n (1-based, row-major) "
            << "is at x=" << gap << "+" << (patch_size + gap) << "*col, y=" << gap << "+"
            << (patch_size + gap) << "*row, " << patch_size << " px square\n";
  return 0;
}
