// Finding a swatch card's corner marks without help: the dark, square blobs of a photo, and the
// four of them that are the card's — one hollow, three solid, alike in size, at the corners of a
// quadrilateral shaped like the page's mark rectangle.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "pigmatch/formulation/swatch_card.h"

namespace pigmatch {
namespace {

// Marks are found on a copy of at most about this many pixels (a 10 mm mark on a card filling a
// 2 MP frame is still some 20 px across).
constexpr double max_working_pixels = 2.0e6;
constexpr std::size_t min_mark_pixels = 12;
constexpr std::size_t max_candidates = 24;
// Second moments of a square (solid or with a hole) are equal along both axes; perspective and a
// tilted card stretch them a little, a painted box (at least 1.6 times as wide as high) a lot.
constexpr double max_elongation = 1.8;

struct GreyImage {
  int width = 0, height = 0;
  int factor = 1;           // working pixels are factor × factor blocks of the photo's
  std::vector<float> luma;  // 0–1, device-encoded
  float at(int x, int y) const { return luma[static_cast<std::size_t>(y) * width + x]; }
};

double sample_at(const Image& image, int x, int y, int channel) {
  const std::size_t index = static_cast<std::size_t>(x) * image.channels + channel;
  return image.bits == 16 ? image.row16(y)[index] / 65535.0 : image.row8(y)[index] / 255.0;
}

// Luma averaged over factor × factor blocks.
GreyImage working_copy(const Image& image) {
  const double pixels = static_cast<double>(image.width) * image.height;
  const int factor =
      std::max(1, static_cast<int>(std::ceil(std::sqrt(pixels / max_working_pixels))));
  GreyImage out;
  out.factor = factor;
  out.width = image.width / factor;
  out.height = image.height / factor;
  out.luma.assign(static_cast<std::size_t>(out.width) * out.height, 0.0f);
  for (int y = 0; y < out.height * factor; ++y) {
    for (int x = 0; x < out.width * factor; ++x) {
      double luma = sample_at(image, x, y, 0);
      if (image.channels == 3) {
        luma = 0.299 * luma + 0.587 * sample_at(image, x, y, 1) + 0.114 * sample_at(image, x, y, 2);
      }
      out.luma[static_cast<std::size_t>(y / factor) * out.width + x / factor] +=
          static_cast<float>(luma / (factor * factor));
    }
  }
  return out;
}

float percentile(std::vector<float> values, double fraction) {
  const auto at = values.begin() + static_cast<std::ptrdiff_t>(fraction * (values.size() - 1));
  std::nth_element(values.begin(), at, values.end());
  return *at;
}

struct Blob {
  double x = 0, y = 0;  // centroid, working pixels
  double area = 0;
  double elongation = 1;  // √(λmax / λmin) of the second moments
  bool hollow = false;    // its centre is not part of it
};

// The dark connected blobs (4-connectivity) that could be a mark.
std::vector<Blob> square_blobs(const GreyImage& g) {
  const float paper = percentile(g.luma, 0.98);
  const float dark = 0.45f * paper;
  std::vector<std::int32_t> label(g.luma.size(), -1);
  std::vector<Blob> out;
  std::vector<std::size_t> stack;
  for (std::size_t start = 0; start < g.luma.size(); ++start) {
    if (label[start] != -1 || g.luma[start] >= dark)
      continue;
    const auto id = static_cast<std::int32_t>(out.size() + 1);
    double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    stack.assign(1, start);
    label[start] = id;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      const std::size_t column = i % g.width, row = i / g.width;  // pixel indices
      const double x = static_cast<double>(column), y = static_cast<double>(row);
      n += 1, sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
      const std::size_t neighbours[4] = {i - 1, i + 1, i - g.width, i + g.width};
      const bool inside[4] = {i % g.width > 0, i % g.width + 1 < static_cast<std::size_t>(g.width),
                              i >= static_cast<std::size_t>(g.width), i + g.width < g.luma.size()};
      for (int k = 0; k < 4; ++k) {
        const std::size_t j = neighbours[k];
        if (inside[k] && label[j] == -1 && g.luma[j] < dark) {
          label[j] = id;
          stack.push_back(j);
        }
      }
    }
    out.emplace_back();  // keeps ids in step with labels; kept or not below
    if (n < min_mark_pixels)
      continue;
    const double mx = sx / n, my = sy / n;
    const double cxx = sxx / n - mx * mx, cyy = syy / n - my * my, cxy = sxy / n - mx * my;
    const double mean = (cxx + cyy) / 2,
                 spread = std::sqrt(std::pow((cxx - cyy) / 2, 2) + cxy * cxy);
    if (mean - spread <= 0)
      continue;
    const double elongation = std::sqrt((mean + spread) / (mean - spread));
    // A solid square's area is 12·√(λ1·λ2); a hollow mark (hole 0.4 of the side) about 0.72 of it;
    // glyphs, frames and blobs with many holes far less.
    const double fill = n / (12 * std::sqrt((mean + spread) * (mean - spread)));
    if (elongation > max_elongation || fill < 0.6 || fill > 1.25)
      continue;
    const int cx = static_cast<int>(std::lround(mx)), cy = static_cast<int>(std::lround(my));
    Blob& b = out.back();
    b.x = mx, b.y = my, b.area = n, b.elongation = elongation;
    b.hollow = label[static_cast<std::size_t>(cy) * g.width + cx] != id;
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const Blob& b) { return b.area == 0; }),
            out.end());
  std::sort(out.begin(), out.end(), [](const Blob& a, const Blob& b) { return a.area > b.area; });
  if (out.size() > max_candidates)
    out.resize(max_candidates);
  return out;
}

double distance(const Blob& a, const Blob& b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

// How well four blobs (hollow first, then clockwise) look like the card's marks; 0 when not.
double score(const std::array<const Blob*, 4>& q, const SwatchCardGeometry& g) {
  for (std::size_t i = 0; i < 4; ++i) {
    const Blob &a = *q[i], &b = *q[(i + 1) % 4], &c = *q[(i + 2) % 4];
    if ((b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x) <= 0)
      return 0;  // not convex and clockwise
  }
  const double top = distance(*q[0], *q[1]), right = distance(*q[1], *q[2]);
  const double bottom = distance(*q[2], *q[3]), left = distance(*q[3], *q[0]);
  if (std::max(top, bottom) > 1.6 * std::min(top, bottom) ||
      std::max(left, right) > 1.6 * std::min(left, right))
    return 0;
  const double page_aspect =
      (g.marks_mm[1].x - g.marks_mm[0].x) / (g.marks_mm[3].y - g.marks_mm[0].y);
  const double aspect = (top + bottom) / (left + right);
  if (aspect < page_aspect / 1.8 || aspect > page_aspect * 1.8)
    return 0;
  // Each mark's side against the side the quadrilateral's size implies for it.
  const double side = g.mark_mm * (top + bottom) / 2 / (g.marks_mm[1].x - g.marks_mm[0].x);
  double worst = 1;
  for (const Blob* b : q) {
    const double expected = side * side * (b->hollow ? 0.84 : 1.0);
    const double ratio = b->area / expected;
    if (ratio < 1 / 3.0 || ratio > 3.0)
      return 0;
    worst = std::min(worst, std::min(ratio, 1 / ratio));
  }
  double smallest = q[0]->area, largest = q[0]->area;
  for (const Blob* b : q)
    smallest = std::min(smallest, b->area), largest = std::max(largest, b->area);
  return worst * smallest / largest;
}

}  // namespace

std::optional<std::array<Point, 4>> find_swatch_card_marks(const Image& image) {
  if (image.width < 16 || image.height < 16 || (image.channels != 1 && image.channels != 3) ||
      image.pixels.size() < static_cast<std::size_t>(image.height) * image.row_stride())
    return std::nullopt;
  const GreyImage g = working_copy(image);
  const std::vector<Blob> blobs = square_blobs(g);
  // Any layout has the same marks.
  const SwatchCardGeometry geometry = swatch_card_geometry({{"X"}, {1, 0.5}, ""});
  double best = 0;
  std::array<const Blob*, 4> found{};
  for (const Blob& hollow : blobs) {
    if (!hollow.hollow)
      continue;
    for (std::size_t a = 0; a < blobs.size(); ++a) {
      for (std::size_t b = 0; b < blobs.size(); ++b) {
        for (std::size_t c = 0; c < blobs.size(); ++c) {
          if (a == b || b == c || a == c || blobs[a].hollow || blobs[b].hollow || blobs[c].hollow)
            continue;
          const std::array<const Blob*, 4> q{&hollow, &blobs[a], &blobs[b], &blobs[c]};
          const double s = score(q, geometry);
          if (s > best)
            best = s, found = q;
        }
      }
    }
  }
  if (best == 0)
    return std::nullopt;
  std::array<Point, 4> marks{};
  for (std::size_t i = 0; i < 4; ++i)
    marks[i] = {(found[i]->x + 0.5) * g.factor, (found[i]->y + 0.5) * g.factor};
  return marks;
}

}  // namespace pigmatch
