// calibration_icc.cpp — Little CMS at both ends of a calibration: linearising device values
// through the photo's profile, and writing the fitted model as an ICC v4 input profile.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "calibration/calibration_model.h"
#include "pigmatch/error.h"

namespace pigmatch::detail {
namespace {

struct ProfileCloser {
  void operator()(void* profile) const noexcept { cmsCloseProfile(profile); }
};
using ProfilePtr = std::unique_ptr<void, ProfileCloser>;

struct PipelineFree {
  void operator()(cmsPipeline* pipeline) const noexcept { cmsPipelineFree(pipeline); }
};
struct MluFree {
  void operator()(cmsMLU* mlu) const noexcept { cmsMLUfree(mlu); }
};
struct CurveFree {
  void operator()(cmsToneCurve* curve) const noexcept { cmsFreeToneCurve(curve); }
};

ProfilePtr open_photo_profile(std::span<const std::uint8_t> icc) {
  if (icc.empty())
    return ProfilePtr(cmsCreate_sRGBProfile());
  if (icc.size() > 0xFFFFFFFFu)
    throw Error(ErrorCode::color_management, "the photo's ICC profile is too large");
  ProfilePtr profile(cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size())));
  if (!profile)
    throw Error(ErrorCode::color_management,
                "the photo's embedded ICC profile is malformed; re-export the photo with an sRGB "
                "or Adobe RGB profile");
  return profile;
}

void write_text(cmsHPROFILE profile, cmsTagSignature tag, const std::string& text) {
  std::unique_ptr<cmsMLU, MluFree> mlu(cmsMLUalloc(nullptr, 1));
  if (!mlu || !cmsMLUsetASCII(mlu.get(), "en", "US", text.c_str()) ||
      !cmsWriteTag(profile, tag, mlu.get()))
    throw Error(ErrorCode::color_management, "Little CMS could not write a text tag");
}

void start_profile(cmsHPROFILE profile, cmsColorSpaceSignature pcs, const std::string& description,
                   int version) {
  cmsSetProfileVersion(profile, version == 2 ? 2.4 : 4.3);
  cmsSetDeviceClass(profile, cmsSigInputClass);
  cmsSetColorSpace(profile, cmsSigRgbData);
  cmsSetPCS(profile, pcs);
  cmsSetHeaderRenderingIntent(profile, INTENT_RELATIVE_COLORIMETRIC);
  write_text(profile, cmsSigProfileDescriptionTag, description);
  write_text(profile, cmsSigCopyrightTag, "No copyright: made by pigmatch from a chart photo");
  // The reference values are D50, the PCS white, so no chromatic adaptation is involved.
  if (!cmsWriteTag(profile, cmsSigMediaWhitePointTag, cmsD50_XYZ()))
    throw Error(ErrorCode::color_management, "Little CMS could not write the white point");
}

std::vector<std::uint8_t> save(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  if (!cmsSaveProfileToMem(profile, nullptr, &size) || size == 0)
    throw Error(ErrorCode::color_management, "Little CMS could not serialise the profile");
  std::vector<std::uint8_t> bytes(size);
  if (!cmsSaveProfileToMem(profile, bytes.data(), &size))
    throw Error(ErrorCode::color_management, "Little CMS could not serialise the profile");
  bytes.resize(size);
  return bytes;
}

std::vector<std::uint8_t> matrix_shaper_profile(const FittedModel& model,
                                                const Linearizer& linearizer,
                                                const std::string& description, int version) {
  ProfilePtr profile(cmsCreateProfilePlaceholder(nullptr));
  start_profile(profile.get(), cmsSigXYZData, description, version);
  const cmsTagSignature colorants[3] = {cmsSigRedColorantTag, cmsSigGreenColorantTag,
                                        cmsSigBlueColorantTag};
  const cmsTagSignature curves[3] = {cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag};
  for (int c = 0; c < 3; ++c) {
    // The colorant tags are the matrix's columns: the XYZ of each channel at full intensity.
    const auto column = static_cast<std::size_t>(c);
    const cmsCIEXYZ xyz{model.rows[0][column], model.rows[1][column], model.rows[2][column]};
    if (!cmsWriteTag(profile.get(), colorants[c], &xyz) ||
        !cmsWriteTag(profile.get(), curves[c], linearizer.curve(c)))
      throw Error(ErrorCode::color_management, "Little CMS could not write the matrix/shaper tags");
  }
  return save(profile.get());
}

struct ClutCargo {
  const FittedModel* model;
  const Linearizer* linearizer;
  int version;  // 2 and 4 encode Lab differently in 16 bits
};

// CLUT node → Lab. With per-channel curves the A curves encode ∛(linear), so a node at u stands
// for linear u³: the grid is spaced like L*, dense where the eye is sensitive (dark skin, hair).
int sample_node(const cmsUInt16Number in[], cmsUInt16Number out[], void* cargo_ptr) {
  const auto* cargo = static_cast<const ClutCargo*>(cargo_ptr);
  Vec3 node{};
  for (std::size_t c = 0; c < 3; ++c)
    node[c] = in[c] / 65535.0;
  Vec3 linear{};
  if (cargo->linearizer->has_curves()) {
    for (std::size_t c = 0; c < 3; ++c)
      linear[c] = node[c] * node[c] * node[c];
  } else {
    linear = (*cargo->linearizer)(node);
  }
  const Lab lab = to_lab(cargo->model->predict(linear));
  const cmsCIELab encodable{std::clamp(lab.L, 0.0, 100.0), std::clamp(lab.a, -128.0, 127.0),
                            std::clamp(lab.b, -128.0, 127.0)};
  if (cargo->version == 2) {
    cmsFloat2LabEncodedV2(out, &encodable);
  } else {
    cmsFloat2LabEncoded(out, &encodable);
  }
  return 1;
}

std::unique_ptr<cmsToneCurve, CurveFree> cube_root_curve(const cmsToneCurve* linearisation) {
  constexpr int entries = 4096;
  std::vector<cmsUInt16Number> table(entries);
  for (int i = 0; i < entries; ++i) {
    const double linear =
        cmsEvalToneCurveFloat(linearisation, static_cast<cmsFloat32Number>(i) / (entries - 1));
    table[static_cast<std::size_t>(i)] = static_cast<cmsUInt16Number>(
        std::lround(65535.0 * std::cbrt(std::clamp(linear, 0.0, 1.0))));
  }
  return std::unique_ptr<cmsToneCurve, CurveFree>(
      cmsBuildTabulatedToneCurve16(nullptr, entries, table.data()));
}

std::vector<std::uint8_t> lut_profile(const FittedModel& model, const Linearizer& linearizer,
                                      const std::string& description, int clut_points,
                                      int version) {
  if (clut_points < 9 || clut_points > 65)
    throw Error(ErrorCode::invalid_argument, "CLUT grid points must be 9 … 65");
  ProfilePtr profile(cmsCreateProfilePlaceholder(nullptr));
  start_profile(profile.get(), cmsSigLabData, description, version);

  std::unique_ptr<cmsPipeline, PipelineFree> pipeline(cmsPipelineAlloc(nullptr, 3, 3));
  std::unique_ptr<cmsToneCurve, CurveFree> a_curves[3];
  std::unique_ptr<cmsToneCurve, CurveFree> identity(cmsBuildGamma(nullptr, 1.0));
  cmsToneCurve* a_list[3];
  cmsToneCurve* b_list[3] = {identity.get(), identity.get(), identity.get()};
  for (int c = 0; c < 3; ++c) {
    if (linearizer.has_curves())
      a_curves[c] = cube_root_curve(linearizer.curve(c));
    a_list[c] = linearizer.has_curves() ? a_curves[c].get() : identity.get();
  }
  cmsStage* a_stage = cmsStageAllocToneCurves(nullptr, 3, a_list);
  cmsStage* clut =
      cmsStageAllocCLut16bit(nullptr, static_cast<cmsUInt32Number>(clut_points), 3, 3, nullptr);
  cmsStage* b_stage = cmsStageAllocToneCurves(nullptr, 3, b_list);
  ClutCargo cargo{&model, &linearizer, version};
  const bool built = pipeline && a_stage && clut && b_stage &&
                     cmsStageSampleCLut16bit(clut, sample_node, &cargo, 0) &&
                     cmsPipelineInsertStage(pipeline.get(), cmsAT_END, a_stage) &&
                     cmsPipelineInsertStage(pipeline.get(), cmsAT_END, clut) &&
                     cmsPipelineInsertStage(pipeline.get(), cmsAT_END, b_stage);
  if (!built) {
    // Stages not yet owned by the pipeline are freed here; inserted ones go with it.
    for (cmsStage* stage : {a_stage, clut, b_stage}) {
      bool owned = false;
      for (cmsStage* s = pipeline ? cmsPipelineGetPtrToFirstStage(pipeline.get()) : nullptr; s;
           s = cmsStageNext(s))
        owned = owned || s == stage;
      if (stage && !owned)
        cmsStageFree(stage);
    }
    throw Error(ErrorCode::color_management, "Little CMS could not build the calibration LUT");
  }
  // A2B0 alone: CMMs use it for relative colorimetry when there is no A2B1.
  if (!cmsWriteTag(profile.get(), cmsSigAToB0Tag, pipeline.get()))
    throw Error(ErrorCode::color_management, "Little CMS could not write the A2B0 tag");
  return save(profile.get());
}

}  // namespace

Linearizer Linearizer::from_profile(std::span<const std::uint8_t> icc) {
  const ProfilePtr profile = open_photo_profile(icc);
  if (cmsGetColorSpace(profile.get()) != cmsSigRgbData)
    throw Error(ErrorCode::invalid_argument,
                "the photo's ICC profile is not an RGB profile: chart calibration needs an RGB "
                "photo");
  Linearizer linearizer;
  if (cmsIsMatrixShaper(profile.get())) {
    const cmsTagSignature tags[3] = {cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag};
    for (std::size_t c = 0; c < 3; ++c) {
      const auto* curve = static_cast<const cmsToneCurve*>(cmsReadTag(profile.get(), tags[c]));
      cmsToneCurve* copy = curve ? cmsDupToneCurve(curve) : nullptr;
      if (copy == nullptr)
        throw Error(ErrorCode::color_management,
                    "the photo's ICC profile has an unreadable tone curve");
      linearizer.curves_[c] = std::shared_ptr<cmsToneCurve>(copy, CurveDeleter{});
    }
    return linearizer;
  }
  const ProfilePtr xyz(cmsCreateXYZProfile());
  cmsHTRANSFORM transform =
      cmsCreateTransform(profile.get(), TYPE_RGB_DBL, xyz.get(), TYPE_XYZ_DBL,
                         INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE | cmsFLAGS_NOOPTIMIZE);
  if (transform == nullptr)
    throw Error(ErrorCode::color_management,
                "Little CMS cannot build a transform from the photo's ICC profile to XYZ");
  linearizer.transform_ = std::shared_ptr<void>(transform, [](void* t) { cmsDeleteTransform(t); });
  return linearizer;
}

Linearizer Linearizer::identity() {
  Linearizer linearizer;
  for (auto& curve : linearizer.curves_)
    curve = std::shared_ptr<cmsToneCurve>(cmsBuildGamma(nullptr, 1.0), CurveDeleter{});
  return linearizer;
}

Linearizer Linearizer::from_tables(const std::array<std::vector<std::uint16_t>, 3>& tables) {
  Linearizer linearizer;
  for (std::size_t c = 0; c < 3; ++c) {
    cmsToneCurve* curve = cmsBuildTabulatedToneCurve16(
        nullptr, static_cast<cmsUInt32Number>(tables[c].size()), tables[c].data());
    if (curve == nullptr)
      throw Error(ErrorCode::color_management, "Little CMS cannot build a tabulated tone curve");
    linearizer.curves_[c] = std::shared_ptr<cmsToneCurve>(curve, CurveDeleter{});
  }
  return linearizer;
}

Vec3 Linearizer::operator()(const Vec3& device) const {
  Vec3 linear{};
  if (has_curves()) {
    for (std::size_t c = 0; c < 3; ++c)
      linear[c] = cmsEvalToneCurveFloat(curves_[c].get(), static_cast<cmsFloat32Number>(device[c]));
    return linear;
  }
  // Floating-point RGB is 0–1 in Little CMS; XYZ comes back with Y = 1 for the white.
  const double in[3] = {device[0], device[1], device[2]};
  double out[3] = {0, 0, 0};
  cmsDoTransform(transform_.get(), in, out, 1);
  return {out[0], out[1], out[2]};
}

std::vector<std::uint8_t> build_profile(const FittedModel& model, const Linearizer& linearizer,
                                        const std::string& description, int clut_points,
                                        int version) {
  if (version != 2 && version != 4)
    throw Error(ErrorCode::invalid_argument,
                "ICC profile version " + std::to_string(version) + " is not supported: use 4 or 2");
  if (model.model == CalibrationModel::matrix && linearizer.has_curves())
    return matrix_shaper_profile(model, linearizer, description, version);
  return lut_profile(model, linearizer, description, clut_points, version);
}

}  // namespace pigmatch::detail
