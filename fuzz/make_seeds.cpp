// make_seeds: writes the generated seed files of fuzz/corpus/fuzz_image, fuzz_heif and fuzz_icc
// (small real files from the real encoders, through tests/image/fixtures.h, and profiles written
// by Little CMS). Run once when the seeds should change, then commit them:
//   LSAN_OPTIONS=suppressions=tests/lsan.supp build/fuzz/fuzz/fuzz_make_seeds fuzz/corpus
// The other seeds are copies (data/catalogs, docs/catalog-format.md, plugins/examples) or the
// output of `pigmatch measure --json` and `--profile-out` (docs/robustness.md, "Fuzzing").
#include <lcms2.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "image/fixtures.h"
#include "pigmatch/image/image.h"

namespace fs = std::filesystem;
using pigmatch::test::Bytes;

namespace {

Bytes save_profile(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  if (!cmsSaveProfileToMem(profile, nullptr, &size))
    throw std::runtime_error("cmsSaveProfileToMem failed");
  Bytes bytes(size);
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsCloseProfile(profile);
  return bytes;
}

Bytes srgb_v2_profile() {
  cmsHPROFILE profile = cmsCreate_sRGBProfile();
  cmsSetProfileVersion(profile, 2.1);
  return save_profile(profile);
}

Bytes grey_profile() {
  cmsToneCurve* gamma = cmsBuildGamma(nullptr, 2.2);
  cmsHPROFILE profile = cmsCreateGrayProfile(cmsD50_xyY(), gamma);
  cmsFreeToneCurve(gamma);
  return save_profile(profile);
}

Bytes lab_profile() {
  return save_profile(cmsCreateLab4Profile(nullptr));
}

int sample_transform(const cmsUInt16Number in[], cmsUInt16Number out[], void* transform) {
  cmsDoTransform(static_cast<cmsHTRANSFORM>(transform), in, out, 1);
  return 1;
}

// An RGB → Lab input profile whose AToB0 is sRGB sampled into a 9-point CLUT: the LUT path
// (Little CMS's float transform) in a few kilobytes.
Bytes small_lut_profile() {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM to_lab = cmsCreateTransform(srgb, TYPE_RGB_16, lab, TYPE_Lab_16,
                                            INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  cmsHPROFILE profile = cmsCreateProfilePlaceholder(nullptr);
  cmsSetProfileVersion(profile, 4.3);
  cmsSetDeviceClass(profile, cmsSigInputClass);
  cmsSetColorSpace(profile, cmsSigRgbData);
  cmsSetPCS(profile, cmsSigLabData);
  cmsPipeline* pipeline = cmsPipelineAlloc(nullptr, 3, 3);
  cmsStage* clut = cmsStageAllocCLut16bit(nullptr, 9, 3, 3, nullptr);
  cmsStageSampleCLut16bit(clut, sample_transform, to_lab, 0);
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsPipelineInsertStage(pipeline, cmsAT_END, clut);
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsWriteTag(profile, cmsSigAToB0Tag, pipeline);
  cmsWriteTag(profile, cmsSigMediaWhitePointTag, cmsD50_XYZ());
  cmsPipelineFree(pipeline);
  cmsDeleteTransform(to_lab);
  cmsCloseProfile(lab);
  cmsCloseProfile(srgb);
  return save_profile(profile);
}

void write_images(const fs::path& dir) {
  using namespace pigmatch::test;
  const Bytes srgb = srgb_profile();
  const Bytes grey = grey_profile();
  {
    JpegOptions o;
    o.quality = 90;
    o.icc = srgb;
    o.exif = make_exif(6, true, true);
    write_file(dir / "jpeg-rgb-icc-exif6.jpg", encode_jpeg(smooth_raster(24, 16, 3, 8), o));
  }
  {
    JpegOptions o;
    o.progressive = true;
    o.icc = grey;
    write_file(dir / "jpeg-grey-progressive-icc.jpg", encode_jpeg(smooth_raster(16, 16, 1, 8), o));
  }
  {
    PngOptions o;
    o.icc = srgb;
    write_file(dir / "png-rgb8-iccp.png", encode_png(random_raster(12, 10, 3, 8, 1), o));
  }
  {
    PngOptions o;
    o.interlaced = true;
    o.exif = make_exif(3, false, false);
    write_file(dir / "png-grey16-interlaced-exif3.png", encode_png(smooth_raster(9, 7, 1, 16), o));
  }
  write_file(dir / "png-rgba16.png", encode_png(random_raster(6, 5, 4, 16, 2)));
  write_file(dir / "png-palette.png",
             encode_png_palette(4, 2, {0, 1, 2, 3, 3, 2, 1, 0},
                                {0, 0, 0, 255, 255, 255, 200, 120, 90, 40, 30, 20}));
  const fs::path scratch = dir / "scratch.tif";
  {
    TiffOptions o;
    o.icc = srgb;
    o.orientation = 8;
    write_file(dir / "tiff-rgb8-icc-orient8.tif",
               encode_tiff(scratch, random_raster(12, 10, 3, 8, 3), o));
  }
  {
    TiffOptions o;
    o.compression = 5;
    o.tiled = true;
    o.icc = srgb;
    write_file(dir / "tiff-rgb16-lzw-tiled-icc.tif",
               encode_tiff(scratch, smooth_raster(20, 18, 3, 16), o));
  }
  {
    TiffOptions o;
    o.compression = 8;
    o.planar = true;
    o.alpha_channels = 1;
    write_file(dir / "tiff-rgba8-deflate-planar.tif",
               encode_tiff(scratch, random_raster(7, 6, 4, 8, 4), o));
  }
  {
    TiffOptions o;
    o.icc = grey;
    write_file(dir / "tiff-grey16-icc.tif", encode_tiff(scratch, smooth_raster(8, 8, 1, 16), o));
  }
  fs::remove(scratch);
}

// Small HEIC files from pigmatch's own encoder (libheif + x265): an ICC profile, nclx boxes
// (Display P3 at 10 bits, linear), and transform boxes (orientation 6).
void write_heif_images(const fs::path& dir) {
  using namespace pigmatch::test;
  const auto image_of = [](const Raster& raster, Bytes icc) {
    pigmatch::Image image;
    image.width = raster.width;
    image.height = raster.height;
    image.bits = raster.bits;
    image.icc_profile = std::move(icc);
    image.pixels.resize(image.row_stride() * static_cast<std::size_t>(raster.height));
    for (std::size_t i = 0; i < raster.samples.size(); ++i) {
      if (raster.bits == 16) {
        std::memcpy(image.pixels.data() + 2 * i, &raster.samples[i], 2);
      } else {
        image.pixels[i] = static_cast<std::byte>(raster.samples[i]);
      }
    }
    return image;
  };
  pigmatch::HeifWriteOptions icc;
  icc.quality = 60;
  write_file(dir / "heic-rgb8-icc.heic",
             pigmatch::encode_heif(image_of(smooth_raster(24, 16, 3, 8), srgb_profile()), icc));
  pigmatch::HeifWriteOptions p3 = icc;
  p3.bits = 10;
  p3.nclx = pigmatch::NclxColour{12, 13, 6, true};
  write_file(dir / "heic-rgb10-nclx-p3.heic",
             pigmatch::encode_heif(image_of(smooth_raster(16, 16, 3, 16), {}), p3));
  pigmatch::HeifWriteOptions turned = icc;
  turned.nclx = pigmatch::NclxColour{1, 8, 1, false};
  turned.orientation = 6;
  write_file(dir / "heic-rgb8-nclx-linear-irot.heic",
             pigmatch::encode_heif(image_of(random_raster(12, 8, 3, 8, 5), {}), turned));
}

void write_profiles(const fs::path& dir) {
  using pigmatch::test::write_file;
  write_file(dir / "srgb-v4.icc", pigmatch::test::srgb_profile());
  write_file(dir / "srgb-v2.icc", srgb_v2_profile());
  write_file(dir / "grey-gamma22.icc", grey_profile());
  write_file(dir / "lut-rgb-lab-9.icc", small_lut_profile());
  write_file(dir / "lab-abstract.icc", lab_profile());  // not an input profile: refused
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const fs::path corpus = argv[1];
  fs::create_directories(corpus / "fuzz_image");
  fs::create_directories(corpus / "fuzz_icc");
  fs::create_directories(corpus / "fuzz_heif");
  write_images(corpus / "fuzz_image");
  write_profiles(corpus / "fuzz_icc");
  write_heif_images(corpus / "fuzz_heif");
  return 0;
}
