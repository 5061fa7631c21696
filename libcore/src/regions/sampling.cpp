#include "pigmatch/regions/sampling.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <variant>
#include <vector>

#include "pigmatch/error.h"
#include "regions/stubble_unmixing.h"

namespace pigmatch {

// ---- plain statistics (pigmatch lab) -----------------------------------------------------------

namespace {

struct ChannelStatistics {
  double mean = 0, median = 0, stddev = 0;
};

// The median of `values`, reordering them (nth_element); the mean of the middle two when even.
double median_in_place(std::vector<float>& values) {
  const std::size_t count = values.size();
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(count / 2);
  std::nth_element(values.begin(), middle, values.end());
  double median = *middle;
  if (count % 2 == 0) {
    const float below = *std::max_element(values.begin(), middle);
    median = (median + below) / 2.0;
  }
  return median;
}

ChannelStatistics summarize_channel(std::span<const float> triplets, std::size_t channel) {
  const std::size_t count = triplets.size() / 3;
  std::vector<float> values(count);
  double sum = 0;
  for (std::size_t i = 0; i < count; ++i) {
    values[i] = triplets[3 * i + channel];
    sum += values[i];
  }
  const double mean = sum / static_cast<double>(count);
  // Two-pass variance: numerically stable for the large, nearly constant regions we measure.
  double squares = 0;
  for (const float v : values)
    squares += (v - mean) * (v - mean);
  const double median = median_in_place(values);
  return {mean, median, std::sqrt(squares / static_cast<double>(count))};
}

void require_triplets(std::span<const float> lab_triplets) {
  if (lab_triplets.empty() || lab_triplets.size() % 3 != 0) {
    throw Error(
        ErrorCode::invalid_argument,
        "Lab statistics need a non-empty list of L,a,b triplets; the region holds no pixels");
  }
}

}  // namespace

LabStatistics summarize_lab(std::span<const float> lab_triplets) {
  require_triplets(lab_triplets);
  const ChannelStatistics L = summarize_channel(lab_triplets, 0);
  const ChannelStatistics a = summarize_channel(lab_triplets, 1);
  const ChannelStatistics b = summarize_channel(lab_triplets, 2);
  return {{L.mean, a.mean, b.mean},
          {L.median, a.median, b.median},
          {L.stddev, a.stddev, b.stddev},
          lab_triplets.size() / 3};
}

// ---- regions -----------------------------------------------------------------------------------

namespace {

struct Ellipse {
  Point centre;
  double radius_x = 0, radius_y = 0, angle_rad = 0;
};

struct MaskShape {
  int width = 0, height = 0;
  std::vector<std::uint8_t> selected;
};

}  // namespace

struct Region::Shape {
  std::variant<Rect, std::vector<Point>, Ellipse, MaskShape> geometry;
};

namespace {

bool finite(double v) {
  return std::isfinite(v);
}

// A polygon's or ellipse's bounding box in continuous coordinates.
struct Extent {
  double x0, y0, x1, y1;
};

void require_inside(const Extent& e, int width, int height, std::string_view what) {
  if (e.x0 < 0 || e.y0 < 0 || e.x1 > width || e.y1 > height) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the {} region spans x {:.1f}..{:.1f}, y {:.1f}..{:.1f}, which is not "
                            "inside the {}×{} image; move or shrink it",
                            what, e.x0, e.x1, e.y0, e.y1, width, height));
  }
}

// Pixel-index box [x0, x1) × [y0, y1) of the pixels whose centres may fall inside `e`.
Rect pixel_box(const Extent& e) {
  const int x0 = static_cast<int>(std::floor(e.x0));
  const int y0 = static_cast<int>(std::floor(e.y0));
  const int x1 = static_cast<int>(std::ceil(e.x1));
  const int y1 = static_cast<int>(std::ceil(e.y1));
  return {x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

// Shrinks a selection to the bounding box of its selected pixels; throws when there are none.
RegionPixels tighten(const Rect& box, const std::vector<std::uint8_t>& selected,
                     std::string_view what) {
  int x0 = box.w, y0 = box.h, x1 = -1, y1 = -1;
  std::size_t count = 0;
  for (int y = 0; y < box.h; ++y) {
    for (int x = 0; x < box.w; ++x) {
      if (selected[static_cast<std::size_t>(y) * static_cast<std::size_t>(box.w) +
                   static_cast<std::size_t>(x)] == 0) {
        continue;
      }
      ++count;
      x0 = std::min(x0, x);
      y0 = std::min(y0, y);
      x1 = std::max(x1, x);
      y1 = std::max(y1, y);
    }
  }
  if (count == 0) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the {} region selects no pixel (a pixel counts when its centre is "
                            "inside the shape); make it larger",
                            what));
  }
  RegionPixels out;
  out.bounds = {box.x + x0, box.y + y0, x1 - x0 + 1, y1 - y0 + 1};
  out.count = count;
  out.selected.resize(static_cast<std::size_t>(out.bounds.w) *
                      static_cast<std::size_t>(out.bounds.h));
  for (int y = 0; y < out.bounds.h; ++y) {
    for (int x = 0; x < out.bounds.w; ++x) {
      out.selected[static_cast<std::size_t>(y) * static_cast<std::size_t>(out.bounds.w) +
                   static_cast<std::size_t>(x)] =
          selected[static_cast<std::size_t>(y + y0) * static_cast<std::size_t>(box.w) +
                   static_cast<std::size_t>(x + x0)];
    }
  }
  return out;
}

RegionPixels rasterize_rect(const Rect& r, int width, int height) {
  const Extent e{static_cast<double>(r.x), static_cast<double>(r.y), static_cast<double>(r.x) + r.w,
                 static_cast<double>(r.y) + r.h};
  require_inside(e, width, height, "rectangle");
  RegionPixels out;
  out.bounds = r;
  out.count = static_cast<std::size_t>(r.w) * static_cast<std::size_t>(r.h);
  out.selected.assign(out.count, 1);
  return out;
}

// Even-odd scanline fill at pixel centres: each row's crossings with the edges, paired.
RegionPixels rasterize_polygon(const std::vector<Point>& v, int width, int height) {
  Extent e{v[0].x, v[0].y, v[0].x, v[0].y};
  for (const Point& p : v) {
    e = {std::min(e.x0, p.x), std::min(e.y0, p.y), std::max(e.x1, p.x), std::max(e.y1, p.y)};
  }
  require_inside(e, width, height, "polygon");
  const Rect box = pixel_box(e);
  std::vector<std::uint8_t> selected(static_cast<std::size_t>(box.w) *
                                     static_cast<std::size_t>(box.h));
  std::vector<double> crossings;
  for (int row = 0; row < box.h; ++row) {
    const double yc = box.y + row + 0.5;
    crossings.clear();
    for (std::size_t i = 0; i < v.size(); ++i) {
      const Point& a = v[i];
      const Point& b = v[(i + 1) % v.size()];
      // Half-open in y so a vertex on the scanline is counted once.
      if ((a.y <= yc && b.y > yc) || (b.y <= yc && a.y > yc)) {
        crossings.push_back(a.x + (yc - a.y) * (b.x - a.x) / (b.y - a.y));
      }
    }
    std::sort(crossings.begin(), crossings.end());
    for (std::size_t k = 0; k + 1 < crossings.size(); k += 2) {
      // Pixel centres x + 0.5 in [left, right).
      const int first = std::max(0, static_cast<int>(std::ceil(crossings[k] - 0.5)) - box.x);
      const int last = std::min(box.w, static_cast<int>(std::ceil(crossings[k + 1] - 0.5)) - box.x);
      for (int col = first; col < last; ++col) {
        selected[static_cast<std::size_t>(row) * static_cast<std::size_t>(box.w) +
                 static_cast<std::size_t>(col)] = 1;
      }
    }
  }
  return tighten(box, selected, "polygon");
}

RegionPixels rasterize_ellipse(const Ellipse& el, int width, int height) {
  const double c = std::cos(el.angle_rad), s = std::sin(el.angle_rad);
  // Half extents of the rotated ellipse's bounding box.
  const double hx = std::hypot(el.radius_x * c, el.radius_y * s);
  const double hy = std::hypot(el.radius_x * s, el.radius_y * c);
  const Extent e{el.centre.x - hx, el.centre.y - hy, el.centre.x + hx, el.centre.y + hy};
  require_inside(e, width, height, "ellipse");
  const Rect box = pixel_box(e);
  std::vector<std::uint8_t> selected(static_cast<std::size_t>(box.w) *
                                     static_cast<std::size_t>(box.h));
  for (int row = 0; row < box.h; ++row) {
    for (int col = 0; col < box.w; ++col) {
      const double dx = box.x + col + 0.5 - el.centre.x;
      const double dy = box.y + row + 0.5 - el.centre.y;
      // Into the ellipse's own axes (undo the rotation).
      const double u = (dx * c + dy * s) / el.radius_x;
      const double w = (-dx * s + dy * c) / el.radius_y;
      if (u * u + w * w <= 1.0) {
        selected[static_cast<std::size_t>(row) * static_cast<std::size_t>(box.w) +
                 static_cast<std::size_t>(col)] = 1;
      }
    }
  }
  return tighten(box, selected, "ellipse");
}

RegionPixels rasterize_mask(const MaskShape& m, int width, int height) {
  if (m.width != width || m.height != height) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the mask is {}×{} but the image is {}×{}; a mask must have the "
                            "photo's size",
                            m.width, m.height, width, height));
  }
  return tighten({0, 0, width, height}, m.selected, "mask");
}

}  // namespace

Region Region::rectangle(const Rect& rect) {
  if (rect.w <= 0 || rect.h <= 0) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("a rectangle region needs a positive width and height, got {}×{}",
                            rect.w, rect.h));
  }
  return Region(std::make_shared<const Shape>(Shape{rect}));
}

Region Region::polygon(std::vector<Point> vertices) {
  if (vertices.size() < 3) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("a polygon region needs at least 3 vertices, got {}", vertices.size()));
  }
  for (const Point& p : vertices) {
    if (!finite(p.x) || !finite(p.y)) {
      throw Error(ErrorCode::invalid_argument,
                  "a polygon region's vertex is not a finite number; give pixel coordinates");
    }
  }
  return Region(std::make_shared<const Shape>(Shape{std::move(vertices)}));
}

Region Region::ellipse(Point centre, double radius_x, double radius_y, double angle_degrees) {
  if (!finite(centre.x) || !finite(centre.y) || !finite(radius_x) || !finite(radius_y) ||
      !finite(angle_degrees) || radius_x <= 0 || radius_y <= 0) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("an ellipse region needs a finite centre and angle and positive radii, "
                            "got centre ({}, {}), radii {} and {}, angle {}",
                            centre.x, centre.y, radius_x, radius_y, angle_degrees));
  }
  const Ellipse e{centre, radius_x, radius_y, angle_degrees * std::numbers::pi / 180.0};
  return Region(std::make_shared<const Shape>(Shape{e}));
}

Region Region::mask(const Image& mask_image) {
  const std::size_t count =
      static_cast<std::size_t>(mask_image.width) * static_cast<std::size_t>(mask_image.height);
  if (mask_image.width <= 0 || mask_image.height <= 0 || mask_image.channels < 1 ||
      (mask_image.bits != 8 && mask_image.bits != 16) ||
      mask_image.pixels.size() <
          count * static_cast<std::size_t>(mask_image.channels) * mask_image.bytes_per_sample()) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the mask image {} is empty or its pixel buffer does not match its "
                            "size; use an 8- or 16-bit grey or RGB image",
                            mask_image.source));
  }
  MaskShape m{mask_image.width, mask_image.height, std::vector<std::uint8_t>(count)};
  const auto channels = static_cast<std::size_t>(mask_image.channels);
  for (int y = 0; y < mask_image.height; ++y) {
    for (int x = 0; x < mask_image.width; ++x) {
      const std::size_t at = static_cast<std::size_t>(x) * channels;
      const bool on =
          mask_image.bits == 8 ? mask_image.row8(y)[at] >= 128 : mask_image.row16(y)[at] >= 32768;
      m.selected[static_cast<std::size_t>(y) * static_cast<std::size_t>(mask_image.width) +
                 static_cast<std::size_t>(x)] = on ? 1 : 0;
    }
  }
  return Region(std::make_shared<const Shape>(Shape{std::move(m)}));
}

Region::Kind Region::kind() const noexcept {
  return static_cast<Kind>(shape_->geometry.index());
}

std::string_view to_string(Region::Kind kind) noexcept {
  switch (kind) {
    case Region::Kind::rectangle:
      return "rectangle";
    case Region::Kind::polygon:
      return "polygon";
    case Region::Kind::ellipse:
      return "ellipse";
    case Region::Kind::mask:
      return "mask";
  }
  return "unknown";
}

RegionPixels rasterize(const Region& region, int image_width, int image_height) {
  const auto& g = region.shape_->geometry;
  if (const auto* r = std::get_if<Rect>(&g))
    return rasterize_rect(*r, image_width, image_height);
  if (const auto* p = std::get_if<std::vector<Point>>(&g)) {
    return rasterize_polygon(*p, image_width, image_height);
  }
  if (const auto* e = std::get_if<Ellipse>(&g)) {
    return rasterize_ellipse(*e, image_width, image_height);
  }
  return rasterize_mask(std::get<MaskShape>(g), image_width, image_height);
}

// ---- robust statistics -------------------------------------------------------------------------

namespace {

constexpr double mad_to_sigma = 1.4826;  // σ of a normal distribution = 1.4826 × MAD

Lab lab_at(std::span<const float> t, std::size_t i) {
  return {t[3 * i], t[3 * i + 1], t[3 * i + 2]};
}

void require_flags(std::span<const float> lab_triplets, std::span<const std::uint8_t> clipped) {
  require_triplets(lab_triplets);
  if (!clipped.empty() && clipped.size() != lab_triplets.size() / 3) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} clipped flags given for {} pixels; give one per pixel or none",
                            clipped.size(), lab_triplets.size() / 3));
  }
}

void require_options(const RobustOptions& o) {
  if (!(o.trim_fraction >= 0 && o.trim_fraction < 0.5) || !std::isfinite(o.specular_robust_z) ||
      !std::isfinite(o.specular_min_dl)) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("robust statistics options out of range: trim fraction {} (0 ≤ f < "
                            "0.5), specular z {}, specular ΔL {}",
                            o.trim_fraction, o.specular_robust_z, o.specular_min_dl));
  }
}

// One channel's values for the given pixel indices.
std::vector<float> channel_of(std::span<const float> t, const std::vector<std::size_t>& idx,
                              std::size_t channel) {
  std::vector<float> v(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k)
    v[k] = t[3 * idx[k] + channel];
  return v;
}

struct ChannelRobust {
  double median = 0, mad = 0, trimmed_mean = 0, mean = 0;
};

ChannelRobust robust_channel(std::vector<float> v, double trim_fraction) {
  ChannelRobust r;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  r.median = n % 2 == 1 ? v[n / 2] : (static_cast<double>(v[n / 2 - 1]) + v[n / 2]) / 2.0;
  double sum = 0;
  for (const float x : v)
    sum += x;
  r.mean = sum / static_cast<double>(n);
  const auto cut = static_cast<std::size_t>(std::floor(trim_fraction * static_cast<double>(n)));
  double trimmed = 0;
  for (std::size_t k = cut; k < n - cut; ++k)
    trimmed += v[k];
  r.trimmed_mean = trimmed / static_cast<double>(n - 2 * cut);
  std::vector<float> deviations(n);
  for (std::size_t k = 0; k < n; ++k) {
    deviations[k] = static_cast<float>(std::abs(v[k] - r.median));
  }
  r.mad = median_in_place(deviations);
  return r;
}

// Median, MAD, trimmed mean and mean of the pixels `kept`; counts are the caller's.
RobustLabStatistics summarize_kept(std::span<const float> t, const std::vector<std::size_t>& kept,
                                   double trim_fraction) {
  const ChannelRobust L = robust_channel(channel_of(t, kept, 0), trim_fraction);
  const ChannelRobust a = robust_channel(channel_of(t, kept, 1), trim_fraction);
  const ChannelRobust b = robust_channel(channel_of(t, kept, 2), trim_fraction);
  RobustLabStatistics s;
  s.median = {L.median, a.median, b.median};
  s.trimmed_mean = {L.trimmed_mean, a.trimmed_mean, b.trimmed_mean};
  s.mad = {L.mad, a.mad, b.mad};
  s.mean = {L.mean, a.mean, b.mean};
  s.pixels_used = kept.size();
  return s;
}

// The indices of the pixels not clipped (or all, when clipped pixels are kept).
std::vector<std::size_t> unclipped(std::size_t count, std::span<const std::uint8_t> clipped,
                                   bool reject) {
  std::vector<std::size_t> kept;
  kept.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (!reject || clipped.empty() || clipped[i] == 0)
      kept.push_back(i);
  }
  return kept;
}

// Removes from `pixels` the highlights well above their median L* and returns how many.
std::size_t drop_specular(std::span<const float> t, std::vector<std::size_t>& pixels,
                          const RobustOptions& o) {
  if (!o.reject_specular || pixels.empty())
    return 0;
  std::vector<float> L = channel_of(t, pixels, 0);
  const double median = median_in_place(L);
  for (float& x : L)
    x = static_cast<float>(std::abs(x - median));
  const double sigma = mad_to_sigma * median_in_place(L);
  const double limit = median + std::max(o.specular_robust_z * sigma, o.specular_min_dl);
  const std::size_t before = pixels.size();
  std::erase_if(pixels, [&](std::size_t i) { return t[3 * i] > limit; });
  return before - pixels.size();
}

[[noreturn]] void throw_all_rejected(std::size_t total, std::size_t clipped, std::size_t specular) {
  throw Error(ErrorCode::invalid_argument,
              fmt::format("every one of the region's {} pixels was rejected ({} clipped at 0 or "
                          "full scale, {} specular); choose a region that is correctly exposed",
                          total, clipped, specular));
}

}  // namespace

RobustLabStatistics robust_statistics(std::span<const float> lab_triplets,
                                      std::span<const std::uint8_t> clipped,
                                      const RobustOptions& options) {
  require_flags(lab_triplets, clipped);
  require_options(options);
  const std::size_t total = lab_triplets.size() / 3;
  std::vector<std::size_t> kept = unclipped(total, clipped, options.reject_clipped);
  const std::size_t clipped_count = total - kept.size();
  const std::size_t specular_count = drop_specular(lab_triplets, kept, options);
  if (kept.empty())
    throw_all_rejected(total, clipped_count, specular_count);
  RobustLabStatistics s = summarize_kept(lab_triplets, kept, options.trim_fraction);
  s.pixels_clipped = clipped_count;
  s.pixels_specular = specular_count;
  return s;
}

RegionLab region_lab(const Image& image, const LabTransform& transform, const Region& region) {
  const RegionPixels pixels = rasterize(region, image.width, image.height);
  const LabImage lab = transform.apply(image, pixels.bounds);
  RegionLab out;
  out.bounds = pixels.bounds;
  out.selected = pixels.selected;
  out.lab.reserve(3 * pixels.count);
  out.clipped.reserve(pixels.count);
  const auto channels = static_cast<std::size_t>(image.channels);
  const unsigned full_scale = image.bits == 16 ? 65535U : 255U;
  for (int y = 0; y < pixels.bounds.h; ++y) {
    for (int x = 0; x < pixels.bounds.w; ++x) {
      const std::size_t at =
          static_cast<std::size_t>(y) * static_cast<std::size_t>(pixels.bounds.w) +
          static_cast<std::size_t>(x);
      if (pixels.selected[at] == 0)
        continue;
      out.lab.insert(out.lab.end(), lab.lab.begin() + static_cast<std::ptrdiff_t>(3 * at),
                     lab.lab.begin() + static_cast<std::ptrdiff_t>(3 * at + 3));
      const std::size_t first = static_cast<std::size_t>(pixels.bounds.x + x) * channels;
      bool is_clipped = false;
      for (std::size_t c = 0; c < channels; ++c) {
        const unsigned v = image.bits == 16 ? image.row16(pixels.bounds.y + y)[first + c]
                                            : image.row8(pixels.bounds.y + y)[first + c];
        is_clipped = is_clipped || v == 0 || v == full_scale;
      }
      out.clipped.push_back(is_clipped ? 1 : 0);
    }
  }
  return out;
}

RobustLabStatistics sample_region(const Image& image, const LabTransform& transform,
                                  const Region& region, const RobustOptions& options) {
  const RegionLab lab = region_lab(image, transform, region);
  return robust_statistics(lab.lab, lab.clipped, options);
}

// ---- stubble -----------------------------------------------------------------------------------

namespace {

double distance2(const Lab& p, const Lab& q) {
  return (p.L - q.L) * (p.L - q.L) + (p.a - q.a) * (p.a - q.a) + (p.b - q.b) * (p.b - q.b);
}

Lab mean_of(std::span<const float> t, const std::vector<std::size_t>& idx) {
  double L = 0, a = 0, b = 0;
  for (const std::size_t i : idx) {
    L += t[3 * i];
    a += t[3 * i + 1];
    b += t[3 * i + 2];
  }
  const auto n = static_cast<double>(std::max<std::size_t>(idx.size(), 1));
  return {L / n, a / n, b / n};
}

struct TwoClusters {
  std::vector<std::size_t> dark, light;
};

// k-means with k = 2 in Lab, seeded with the means of the darkest and lightest 5 % by L*, so the
// result does not depend on pixel order or a random start.
TwoClusters two_means(std::span<const float> t, const std::vector<std::size_t>& pixels) {
  if (pixels.size() < 2)
    return {{}, pixels};  // one pixel is no two groups
  // The tails are selected, not sorted: a stubble region has millions of pixels.
  std::vector<std::size_t> by_l = pixels;
  const auto lighter = [&](std::size_t i, std::size_t j) { return t[3 * i] < t[3 * j]; };
  const auto tail = static_cast<std::ptrdiff_t>(std::max<std::size_t>(1, by_l.size() / 20));
  std::nth_element(by_l.begin(), by_l.begin() + tail, by_l.end(), lighter);
  Lab dark = mean_of(t, std::vector<std::size_t>(by_l.begin(), by_l.begin() + tail));
  std::nth_element(by_l.begin() + tail, by_l.end() - tail, by_l.end(), lighter);
  Lab light = mean_of(t, std::vector<std::size_t>(by_l.end() - tail, by_l.end()));
  TwoClusters c;
  for (int iteration = 0; iteration < 50; ++iteration) {
    TwoClusters next;
    for (const std::size_t i : pixels) {
      const Lab p = lab_at(t, i);
      (distance2(p, dark) < distance2(p, light) ? next.dark : next.light).push_back(i);
    }
    const bool stable = next.dark == c.dark;
    c = std::move(next);
    if (stable || c.dark.empty() || c.light.empty())
      break;
    dark = mean_of(t, c.dark);
    light = mean_of(t, c.light);
  }
  return c;
}

Lab median_of(std::span<const float> t, const std::vector<std::size_t>& idx) {
  std::vector<float> L = channel_of(t, idx, 0), a = channel_of(t, idx, 1),
                     b = channel_of(t, idx, 2);
  return {median_in_place(L), median_in_place(a), median_in_place(b)};
}

// Position of each pixel along the skin → hair axis: 0 at `skin`, 1 at `hair`.
std::vector<float> axis_positions(std::span<const float> t, const std::vector<std::size_t>& idx,
                                  const Lab& skin, const Lab& hair) {
  const double dL = hair.L - skin.L, da = hair.a - skin.a, db = hair.b - skin.b;
  const double length2 = dL * dL + da * da + db * db;
  std::vector<float> s(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const Lab p = lab_at(t, idx[k]);
    s[k] = static_cast<float>(((p.L - skin.L) * dL + (p.a - skin.a) * da + (p.b - skin.b) * db) /
                              length2);
  }
  return s;
}

// Robust spread (1.4826 × MAD) of axis positions.
double robust_spread(std::vector<float> s) {
  const double median = median_in_place(s);
  for (float& x : s)
    x = static_cast<float>(std::abs(x - median));
  return mad_to_sigma * median_in_place(s);
}

// Hair coverage by linear unmixing in XYZ (where light from hair and skin within one pixel
// adds): the mean colour's position between skin and hair. Not clamped per pixel, so noise
// around pure skin averages out instead of biasing coverage upwards.
double unmixed_coverage(std::span<const float> t, const std::vector<std::size_t>& pixels,
                        const Lab& skin, const Lab& hair) {
  const Xyz s = to_xyz(skin), h = to_xyz(hair);
  double X = 0, Y = 0, Z = 0;
  for (const std::size_t i : pixels) {
    const Xyz p = to_xyz(lab_at(t, i));
    X += p.X;
    Y += p.Y;
    Z += p.Z;
  }
  const auto n = static_cast<double>(pixels.size());
  const double dX = h.X - s.X, dY = h.Y - s.Y, dZ = h.Z - s.Z;
  const double along = (X / n - s.X) * dX + (Y / n - s.Y) * dY + (Z / n - s.Z) * dZ;
  return std::clamp(along / (dX * dX + dY * dY + dZ * dZ), 0.0, 1.0);
}

// Where each pixel of a region lies: the cell of its bounding box, for spatial filtering.
struct PixelGrid {
  int width = 0, height = 0;
  std::vector<std::size_t> cell_of;  // pixel index → y × width + x
};

// The pixels of `hair` whose whole (2r+1)² neighbourhood is hair, for the largest r ≤ 2 that
// leaves enough of them: the dots' interiors, free of the skin that lens blur and JPEG's
// subsampled chroma spread into their edges. Empty when the dots are too small for that.
struct Interiors {
  std::vector<std::size_t> pixels;
  int radius = 0;  // 2: 5×5 neighbourhoods all hair, 1: 3×3, 0: none
};

Interiors interior_pixels(const PixelGrid& grid, const std::vector<std::size_t>& hair) {
  std::vector<std::uint8_t> is_hair(static_cast<std::size_t>(grid.width) *
                                    static_cast<std::size_t>(grid.height));
  for (const std::size_t i : hair)
    is_hair[grid.cell_of[i]] = 1;
  const std::size_t enough = std::max<std::size_t>(10, hair.size() / 20);
  for (int r = 2; r >= 1; --r) {
    std::vector<std::size_t> core;
    for (const std::size_t i : hair) {
      const int x = static_cast<int>(grid.cell_of[i] % static_cast<std::size_t>(grid.width));
      const int y = static_cast<int>(grid.cell_of[i] / static_cast<std::size_t>(grid.width));
      bool interior = x >= r && y >= r && x + r < grid.width && y + r < grid.height;
      for (int dy = -r; interior && dy <= r; ++dy) {
        for (int dx = -r; interior && dx <= r; ++dx) {
          interior =
              is_hair[static_cast<std::size_t>(y + dy) * static_cast<std::size_t>(grid.width) +
                      static_cast<std::size_t>(x + dx)] != 0;
        }
      }
      if (interior)
        core.push_back(i);
    }
    if (core.size() >= enough)
      return {std::move(core), r};
  }
  return {};
}

// `interior_radius`, when given, receives the radius of the dots' interiors the hair was read from
// (interior_pixels; 0 when none).
// `skin_hint`, when given, is where the skin is known to be (the unmixing's mode): the cluster
// nearer it is the skin's. Without it the lighter cluster is, which is wrong for grey or blond
// hair on dark skin.
StubbleSample separate(std::span<const float> lab_triplets, std::span<const std::uint8_t> clipped,
                       const StubbleOptions& options, const PixelGrid* grid,
                       int* interior_radius = nullptr, const Lab* skin_hint = nullptr) {
  require_flags(lab_triplets, clipped);
  require_options(options.robust);
  const std::span<const float> t = lab_triplets;
  const std::size_t total = t.size() / 3;
  std::vector<std::size_t> kept = unclipped(total, clipped, options.robust.reject_clipped);
  const std::size_t clipped_count = total - kept.size();
  if (kept.empty())
    throw_all_rejected(total, clipped_count, 0);

  // Highlights are judged against the skin alone: against the whole region's median they would
  // be missed (or, with dense hair, the skin itself would look specular).
  TwoClusters clusters = two_means(t, kept);
  std::size_t specular_count = 0;
  if (!clusters.dark.empty() && !clusters.light.empty()) {
    specular_count = drop_specular(t, clusters.light, options.robust);
    if (specular_count > 0) {
      std::vector<std::size_t> without = clusters.dark;
      without.insert(without.end(), clusters.light.begin(), clusters.light.end());
      std::sort(without.begin(), without.end());
      kept = std::move(without);
      clusters = two_means(t, kept);
    }
  }

  StubbleSample out;
  out.all = summarize_kept(t, kept, options.robust.trim_fraction);
  out.all.pixels_clipped = clipped_count;
  out.all.pixels_specular = specular_count;
  out.skin = out.all.median;
  out.hair = out.all.median;
  out.not_separated_because =
      "the region's colours do not form two distinct groups: plain skin, or hair too close to "
      "the skin's colour to tell";
  if (clusters.dark.empty() || clusters.light.empty())
    return out;

  const std::vector<std::size_t>* skin_side = &clusters.light;
  const std::vector<std::size_t>* hair_side = &clusters.dark;
  if (skin_hint != nullptr && delta_e2000(*skin_hint, median_of(t, clusters.dark)) <
                                  delta_e2000(*skin_hint, median_of(t, clusters.light)))
    std::swap(skin_side, hair_side);
  const Lab skin = median_of(t, *skin_side);
  const Lab hair_cluster = median_of(t, *hair_side);
  std::vector<float> s_hair = axis_positions(t, *hair_side, skin, hair_cluster);
  const std::vector<float> s_skin = axis_positions(t, *skin_side, skin, hair_cluster);
  out.skin_pixels = skin_side->size();
  out.hair_pixels = hair_side->size();
  // Positions are in units of the skin–hair distance, so the distance is 1.
  out.separation_ratio = 1.0 / std::max(1e-9, robust_spread(s_hair) + robust_spread(s_skin));

  // The dots' cores: their interiors when the pixels' places are known; otherwise the
  // hair-cluster pixels at or beyond the cluster's median position along the axis (the rest are
  // edge pixels that mix hair with skin).
  std::vector<std::size_t> core;
  if (grid != nullptr) {
    Interiors interiors = interior_pixels(*grid, *hair_side);
    core = std::move(interiors.pixels);
    if (interior_radius != nullptr)
      *interior_radius = interiors.radius;
  }
  if (core.empty()) {
    std::vector<float> sorted = s_hair;
    const double core_from = median_in_place(sorted);
    for (std::size_t k = 0; k < hair_side->size(); ++k) {
      if (s_hair[k] >= core_from)
        core.push_back((*hair_side)[k]);
    }
  }
  const Lab hair = median_of(t, core);
  out.separation_de00 = delta_e2000(skin, hair);

  const std::size_t min_hair = std::max<std::size_t>(
      options.min_hair_pixels, static_cast<std::size_t>(0.002 * static_cast<double>(kept.size())));
  out.separated = out.separation_de00 >= options.min_separation_de00 &&
                  out.separation_ratio >= options.min_separation_ratio &&
                  out.hair_pixels >= min_hair;
  if (!out.separated)
    return out;

  out.not_separated_because.clear();
  out.skin = skin;
  out.hair = hair;
  out.coverage = unmixed_coverage(t, kept, skin, hair);
  // Full confidence at twice the minimum separation ratio and five times the minimum hair count.
  const double by_ratio =
      std::min(1.0, out.separation_ratio / (2.0 * options.min_separation_ratio));
  const double by_count =
      std::min(1.0, static_cast<double>(out.hair_pixels) / (5.0 * static_cast<double>(min_hair)));
  out.confidence = by_ratio * by_count;
  return out;
}

}  // namespace

StubbleSample separate_stubble(std::span<const float> lab_triplets,
                               std::span<const std::uint8_t> clipped,
                               const StubbleOptions& options) {
  return separate(lab_triplets, clipped, options, nullptr);
}

namespace {

// The region's photo, when it is at hand: the unmixing then models the chroma in the photo's own
// encoding.
struct RegionPhoto {
  const Image& image;
  const LabTransform& transform;
};

// Image pixel (x, y) as device values 0–1.
detail::DeviceRgb device_at(const Image& image, int x, int y) {
  const auto at = static_cast<std::size_t>(x) * 3;
  if (image.bits == 16) {
    const std::uint16_t* row = image.row16(y);
    return {row[at] / 65535.0, row[at + 1] / 65535.0, row[at + 2] / 65535.0};
  }
  const std::uint8_t* row = image.row8(y);
  return {row[at] / 255.0, row[at + 1] / 255.0, row[at + 2] / 255.0};
}

detail::StubbleGrid stubble_grid(const RegionLab& region, const PixelGrid& cells,
                                 const RobustOptions& options, const RegionPhoto* photo) {
  detail::StubbleGrid g;
  g.width = region.bounds.w;
  g.height = region.bounds.h;
  g.origin_x = region.bounds.x;
  g.origin_y = region.bounds.y;
  const std::size_t size = static_cast<std::size_t>(g.width) * static_cast<std::size_t>(g.height);
  g.xyz.assign(size, Xyz{});
  g.usable.assign(size, 0);
  for (std::size_t k = 0; k < cells.cell_of.size(); ++k) {
    if (options.reject_clipped && !region.clipped.empty() && region.clipped[k] != 0) {
      if (g.clipped.empty())
        g.clipped.assign(size, 0);
      g.clipped[cells.cell_of[k]] = 1;
      continue;
    }
    g.xyz[cells.cell_of[k]] = to_xyz(lab_at(region.lab, k));
    g.usable[cells.cell_of[k]] = 1;
  }
  if (photo != nullptr && photo->image.channels == 3) {
    g.device_colour = detail::LabTransformAccess::device_colour(photo->transform);
    if (g.device_colour) {
      g.device.assign(size, detail::DeviceRgb{});
      for (int y = 0; y < g.height; ++y) {
        for (int x = 0; x < g.width; ++x)
          g.device[g.at(x, y)] = device_at(photo->image, region.bounds.x + x, region.bounds.y + y);
      }
    }
  }
  return g;
}

// The spatial unmixing's answer in the public form; `by_clusters` supplies the whole region's
// statistics.
StubbleSample from_unmixing(const detail::StubbleUnmixing& u, StubbleSample by_clusters,
                            const StubbleOptions& options) {
  StubbleSample out = std::move(by_clusters);
  out.dots = u.dots;
  out.skin = to_lab(u.skin);
  out.hair = to_lab(u.hair);
  out.skin_pixels = u.skin_pixels;
  out.hair_pixels = u.hair_pixels;
  out.separation_de00 = delta_e2000(out.skin, out.hair);
  out.separation_ratio = u.contrast_to_noise;
  out.psf_sigma_px = u.psf_sigma_px;
  out.hair_uncertainty_de00 = u.hair_uncertainty_de00;
  out.separated = out.separation_de00 >= options.min_hair_de00;
  if (!out.separated) {
    out.not_separated_because = fmt::format(
        "the hair found differs from the skin by only {:.1f} ΔE00 (under {:.1f}): hair this "
        "close to the skin cannot be told apart from it",
        out.separation_de00, options.min_hair_de00);
    out.hair = out.skin;
    out.coverage = 0;
    out.confidence = 0;
    return out;
  }
  out.not_separated_because.clear();  // the two-cluster split's refusal, if any, is not ours
  out.coverage = std::clamp(u.coverage, 0.0, 1.0);
  out.confidence = std::min(1.0, static_cast<double>(u.dots_fitted) / 60.0) *
                   std::max(0.0, 1.0 - u.hair_uncertainty_de00 / 6.0);
  return out;
}

StubbleSample separate_stubble(const RegionLab& region, const StubbleOptions& options,
                               const RegionPhoto* photo) {
  const auto cells =
      static_cast<std::size_t>(region.bounds.w) * static_cast<std::size_t>(region.bounds.h);
  if (region.selected.size() != cells) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the region's selection has {} flags for a {}×{} box; build it with "
                            "region_lab()",
                            region.selected.size(), region.bounds.w, region.bounds.h));
  }
  PixelGrid grid{region.bounds.w, region.bounds.h, {}};
  for (std::size_t cell = 0; cell < cells; ++cell) {
    if (region.selected[cell] != 0)
      grid.cell_of.push_back(cell);
  }
  if (grid.cell_of.size() * 3 != region.lab.size()) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the region selects {} pixels but holds {} Lab values; build it with "
                            "region_lab()",
                            grid.cell_of.size(), region.lab.size() / 3));
  }
  const detail::StubbleUnmixing u =
      detail::unmix_stubble(stubble_grid(region, grid, options.robust, photo));
  // Small dots (the phone photo's case): the unmixing alone, with the whole region's statistics.
  // The two-cluster split and its dots' interiors only where they can help: no hair found by the
  // unmixing, or dots so wide against the blur that whole 5×5 patches of them are hair.
  if (u.hair_found && !u.dots_show_hair()) {
    StubbleSample sample;
    // Without the split, highlights cannot be judged against the skin alone; against the whole
    // region's median, dense dark hair would make the skin itself look specular.
    RobustOptions whole = options.robust;
    whole.reject_specular = false;
    sample.all = robust_statistics(region.lab, region.clipped, whole);
    return from_unmixing(u, std::move(sample), options);
  }
  int interior_radius = 0;
  const std::optional<Lab> skin_hint =
      u.skin.Y > 0 ? std::optional<Lab>(to_lab(u.skin)) : std::nullopt;
  const Lab* skin_hint_ptr = skin_hint ? &*skin_hint : nullptr;
  StubbleSample by_clusters =
      separate(region.lab, region.clipped, options, &grid, &interior_radius, skin_hint_ptr);
  // Dots wide enough to hold whole 5×5 patches of hair (over ~6 px across) show the hair itself:
  // read there, it needs no extrapolation, and JPEG's ringing at their sharp edges cannot
  // deepen it.
  if (by_clusters.separated && interior_radius == 2) {
    by_clusters.dots = u.dots;
    by_clusters.psf_sigma_px = u.psf_sigma_px;
    return by_clusters;
  }
  if (u.hair_found)
    return from_unmixing(u, std::move(by_clusters), options);
  by_clusters.dots = u.dots;
  // Dots too crowded to fit, but large: their interiors are hair. Not when the unmixing could
  // not tell which end is the skin: the split's lighter or nearer cluster would only guess.
  if (by_clusters.separated && !u.ends_ambiguous)
    return by_clusters;
  // Not separated: the skin is the mode of the region (what the unmixing found as skin), not a
  // cluster's median, which faint dots pull darker.
  by_clusters.separated = false;
  by_clusters.coverage = 0;
  by_clusters.confidence = 0;
  if (u.skin.Y > 0) {
    by_clusters.skin = to_lab(u.skin);
    by_clusters.hair = by_clusters.skin;
  }
  by_clusters.not_separated_because =
      u.why_not.empty() ? "no hair told apart from the skin" : u.why_not;
  if (u.dots > 0 && u.dots < 1000)
    by_clusters.not_separated_because +=
        fmt::format(" ({} specks; plain skin, or hair too sparse or too faint to tell)", u.dots);
  return by_clusters;
}

}  // namespace

StubbleSample separate_stubble(const RegionLab& region, const StubbleOptions& options) {
  return separate_stubble(region, options, nullptr);
}

StubbleSample sample_stubble(const Image& image, const LabTransform& transform,
                             const Region& region, const StubbleOptions& options) {
  const RegionPhoto photo{image, transform};
  return separate_stubble(region_lab(image, transform, region), options, &photo);
}

}  // namespace pigmatch
