// bench_lab: a 24 MP photo → float CIELAB, pigmatch's fast path against Little CMS's float
// transform and OpenCV's cvtColor, in one run. Figures and how to reproduce them: RESULTS.md.
//
// OpenCV's Lab is D65-based and sRGB-only, ours is D50 from any matrix/shaper ICC profile: OpenCV
// is a throughput peer here, not a reference for the values.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "pigmatch/colour/transform.h"
#include "pigmatch/image/image.h"

#ifdef PIGMATCH_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace {

constexpr int kWidth = 6000;
constexpr int kHeight = 4000;  // 24 MP
constexpr double kMegapixels = kWidth * static_cast<double>(kHeight) / 1e6;

// Every contender first runs untimed for warm_up_s, then for at least min_time_s. Without the
// warm-up the first call (OpenCV's thread pool, the output's 288 MB faulted in page by page,
// slow on this VM) took longer than the default minimum time, so Google Benchmark measured that
// one iteration alone: OpenCV read 13.5 MP/s instead of about 255.
constexpr double warm_up_s = 1.0;
constexpr double min_time_s = 2.0;

// A photo-like test image: smooth gradients (a scalp under studio light varies slowly) plus
// noise, so neither the tables nor the branch predictor see a constant.
template <typename Sample>
pigmatch::Image make_photo() {
  constexpr int max = sizeof(Sample) == 1 ? 255 : 65535;
  pigmatch::Image image;
  image.width = kWidth;
  image.height = kHeight;
  image.channels = 3;
  image.bits = 8 * sizeof(Sample);
  image.source = "bench";
  image.pixels.resize(std::size_t{3} * kWidth * kHeight * sizeof(Sample));
  // The vector's storage comes from operator new, aligned for any sample type.
  auto* samples = reinterpret_cast<Sample*>(image.pixels.data());
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> noise(-max / 32, max / 32);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      const int base[3] = {max * x / kWidth, max * y / kHeight, max * (x + y) / (kWidth + kHeight)};
      for (int c = 0; c < 3; ++c) {
        const int v = std::clamp(base[c] + noise(rng), 0, max);
        samples[3 * (static_cast<std::size_t>(y) * kWidth + x) + c] = static_cast<Sample>(v);
      }
    }
  }
  return image;
}

const pigmatch::Image& photo8() {
  static const pigmatch::Image image = make_photo<std::uint8_t>();
  return image;
}

const pigmatch::Image& photo16() {
  static const pigmatch::Image image = make_photo<std::uint16_t>();
  return image;
}

void report(benchmark::State& state) {
  state.counters["MP/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kMegapixels,
                                              benchmark::Counter::kIsRate);
}

// state.range(0): threads (0 = all cores).
void BM_pigmatch_fast(benchmark::State& state, const pigmatch::Image& image) {
  const auto transform = pigmatch::LabTransform::srgb({3, image.bits});
  const pigmatch::Rect whole{0, 0, image.width, image.height};
  const pigmatch::ApplyOptions options{static_cast<unsigned>(state.range(0))};
  pigmatch::LabImage out;
  transform.apply(image, whole, out, options);  // allocate once, as a caller reusing it would
  for (auto _ : state) {
    transform.apply(image, whole, out, options);
    benchmark::DoNotOptimize(out.lab.data());
    benchmark::ClobberMemory();
  }
  report(state);
}

void BM_lcms_float(benchmark::State& state, const pigmatch::Image& image) {
  const auto transform = pigmatch::LabTransform::srgb({3, image.bits});
  const pigmatch::Rect whole{0, 0, image.width, image.height};
  const pigmatch::ApplyOptions options{static_cast<unsigned>(state.range(0))};
  for (auto _ : state) {
    const pigmatch::LabImage out = transform.apply_reference(image, whole, options);
    benchmark::DoNotOptimize(out.lab.data());
  }
  report(state);
}

#ifdef PIGMATCH_HAVE_OPENCV
cv::Mat opencv_view(const pigmatch::Image& image) {
  return cv::Mat(image.height, image.width, CV_8UC3,
                 const_cast<std::byte*>(image.pixels.data()));  // read only below
}

// What a caller starting from an 8-bit photo pays: 8u → 32f scaled to 0..1, then cvtColor.
void BM_opencv_8u_convert_and_lab(benchmark::State& state) {
  const cv::Mat src = opencv_view(photo8());
  cv::Mat rgb_float, lab;
  for (auto _ : state) {
    src.convertTo(rgb_float, CV_32F, 1.0 / 255.0);
    cv::cvtColor(rgb_float, lab, cv::COLOR_RGB2Lab);
    benchmark::DoNotOptimize(lab.data);
    benchmark::ClobberMemory();
  }
  state.counters["cv_threads"] = cv::getNumThreads();
  report(state);
}

void BM_opencv_float_lab_only(benchmark::State& state) {
  cv::Mat rgb_float, lab;
  opencv_view(photo8()).convertTo(rgb_float, CV_32F, 1.0 / 255.0);
  for (auto _ : state) {
    cv::cvtColor(rgb_float, lab, cv::COLOR_RGB2Lab);
    benchmark::DoNotOptimize(lab.data);
    benchmark::ClobberMemory();
  }
  state.counters["cv_threads"] = cv::getNumThreads();
  report(state);
}

BENCHMARK(BM_opencv_8u_convert_and_lab)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinWarmUpTime(warm_up_s)
    ->MinTime(min_time_s);
BENCHMARK(BM_opencv_float_lab_only)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinWarmUpTime(warm_up_s)
    ->MinTime(min_time_s);
#endif

BENCHMARK_CAPTURE(BM_pigmatch_fast, rgb8, photo8())
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinWarmUpTime(warm_up_s)
    ->MinTime(min_time_s);
BENCHMARK_CAPTURE(BM_pigmatch_fast, rgb16, photo16())
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinWarmUpTime(warm_up_s)
    ->MinTime(min_time_s);
BENCHMARK_CAPTURE(BM_lcms_float, rgb8, photo8())
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinWarmUpTime(warm_up_s)
    ->MinTime(min_time_s);
BENCHMARK_CAPTURE(BM_lcms_float, rgb16, photo16())
    ->ArgName("threads")
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinWarmUpTime(warm_up_s)
    ->MinTime(min_time_s);

}  // namespace

BENCHMARK_MAIN();
