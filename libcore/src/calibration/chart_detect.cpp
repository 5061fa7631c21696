// chart_detect.cpp — finding a grid chart in a photo without help: OpenCV's mcc detector when
// pigmatch is built with OpenCV, and pigmatch's own grid finder (always available).
//
// The grid finder: on a downscaled copy, pixels are joined into regions of near-constant colour
// (union-find over neighbours closer than a small threshold); regions shaped like solid convex
// quadrilaterals of similar size are patch candidates; from a seed, neighbours are followed
// along the two local lattice directions (updated as they go, so perspective is tolerated); the
// rows × columns window holding the most candidates is fitted with a homography from grid
// indices to the image, which gives the chart's corners. Orientation is left to calibration.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>

#include "calibration/chart_geometry.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/error.h"

#ifdef PIGMATCH_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/mcc.hpp>
#endif

namespace pigmatch {
namespace {

constexpr int working_size = 1000;  // longest side of the downscaled copy, pixels
// A chart too small to be found on the downscaled copy (a patch under about 7 working pixels) is
// looked for again on finer copies, up to this longest side.
constexpr int finest_working_size = 3000;

struct Working {
  int width = 0, height = 0;
  double scale = 1;        // original pixels per working pixel
  std::vector<float> rgb;  // device values 0–1, interleaved
};

// The coarsest factor first (a copy of at most working_size), then halved while the copy stays
// within finest_working_size.
std::vector<int> downscale_factors(const Image& image) {
  const int longest = std::max(image.width, image.height);
  std::vector<int> factors{std::max(1, (longest + working_size - 1) / working_size)};
  while (factors.back() > 1 && longest / (factors.back() / 2) <= finest_working_size)
    factors.push_back(factors.back() / 2);
  return factors;
}

Working downscale(const Image& image, int factor) {
  Working w;
  w.scale = factor;
  w.width = image.width / factor;
  w.height = image.height / factor;
  w.rgb.assign(static_cast<std::size_t>(w.width) * static_cast<std::size_t>(w.height) * 3, 0.f);
  const double max_code = image.bits == 16 ? 65535.0 : 255.0;
  const double norm = 1.0 / (max_code * factor * factor);
  for (int y = 0; y < w.height * factor; ++y) {
    for (int x = 0; x < w.width * factor; ++x) {
      const std::size_t out =
          (static_cast<std::size_t>(y / factor) * static_cast<std::size_t>(w.width) +
           static_cast<std::size_t>(x / factor)) *
          3;
      for (std::size_t c = 0; c < 3; ++c) {
        const double code = image.bits == 16 ? image.row16(y)[3 * x + static_cast<int>(c)]
                                             : image.row8(y)[3 * x + static_cast<int>(c)];
        w.rgb[out + c] += static_cast<float>(code * norm);
      }
    }
  }
  // Linear photos (16-bit TIFFs) are dark: a square root spreads their shadows like an encoded
  // photo's, so one colour threshold suits both.
  if (image.bits == 16) {
    for (float& v : w.rgb)
      v = std::sqrt(v);
  }
  return w;
}

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int i) {
    while (parent[static_cast<std::size_t>(i)] != i) {
      parent[static_cast<std::size_t>(i)] =
          parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(i)])];
      i = parent[static_cast<std::size_t>(i)];
    }
    return i;
  }
  void join(int a, int b) {
    a = find(a), b = find(b);
    if (a != b)
      parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
  }
};

struct Region {
  double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  Point center() const { return {sx / n, sy / n}; }
};

struct Candidate {
  Point center;
  double area = 0;
};

std::vector<Candidate> patch_candidates(const Working& w, double threshold) {
  const auto index = [&](int x, int y) { return y * w.width + x; };
  const auto close = [&](int a, int b) {
    for (std::size_t c = 0; c < 3; ++c) {
      if (std::abs(w.rgb[static_cast<std::size_t>(a) * 3 + c] -
                   w.rgb[static_cast<std::size_t>(b) * 3 + c]) > threshold)
        return false;
    }
    return true;
  };
  UnionFind regions(static_cast<std::size_t>(w.width) * static_cast<std::size_t>(w.height));
  for (int y = 0; y < w.height; ++y) {
    for (int x = 0; x < w.width; ++x) {
      if (x + 1 < w.width && close(index(x, y), index(x + 1, y)))
        regions.join(index(x, y), index(x + 1, y));
      if (y + 1 < w.height && close(index(x, y), index(x, y + 1)))
        regions.join(index(x, y), index(x, y + 1));
    }
  }
  std::map<int, Region> stats;
  for (int y = 0; y < w.height; ++y) {
    for (int x = 0; x < w.width; ++x) {
      Region& r = stats[regions.find(index(x, y))];
      r.n += 1, r.sx += x, r.sy += y, r.sxx += double(x) * x, r.syy += double(y) * y,
          r.sxy += double(x) * y;
    }
  }
  const double image_area = double(w.width) * w.height;
  std::vector<Candidate> candidates;
  for (const auto& [root, r] : stats) {
    if (r.n < 40 || r.n > image_area / 30)
      continue;
    const Point c = r.center();
    const double vxx = r.sxx / r.n - c.x * c.x, vyy = r.syy / r.n - c.y * c.y,
                 vxy = r.sxy / r.n - c.x * c.y;
    const double det = vxx * vyy - vxy * vxy;
    if (!(det > 0))
      continue;
    // A solid parallelogram has area = 12·√det(covariance) (affine invariant); holes, ragged
    // outlines and thin shapes fall far from 1.
    const double solidity = r.n / (12 * std::sqrt(det));
    const double half_trace = (vxx + vyy) / 2;
    const double spread = std::sqrt(std::max(0.0, half_trace * half_trace - det));
    const double elongation =
        std::sqrt((half_trace + spread) / std::max(half_trace - spread, 1e-9));
    if (solidity > 0.85 && solidity < 1.12 && elongation < 3.0)
      candidates.push_back({c, r.n});
  }
  return candidates;
}

struct GridNode {
  int i = 0, j = 0;
  Point step_i, step_j;  // the local lattice vectors at this node
};

double distance(Point a, Point b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

// Grows a lattice from `seed` over candidates of similar size; returns node per candidate.
std::map<std::size_t, GridNode> grow_lattice(const std::vector<Candidate>& all, std::size_t seed) {
  std::map<std::size_t, GridNode> nodes;
  const double area = all[seed].area;
  std::vector<std::size_t> similar;
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (all[k].area > 0.4 * area && all[k].area < 2.5 * area)
      similar.push_back(k);
  }
  // The nearest similar candidate gives one lattice direction, the nearest roughly
  // perpendicular one the other.
  const Point s = all[seed].center;
  std::optional<std::size_t> first, second;
  for (const std::size_t k : similar) {
    if (k != seed && (!first || distance(all[k].center, s) < distance(all[*first].center, s)))
      first = k;
  }
  if (!first)
    return nodes;
  const Point a{all[*first].center.x - s.x, all[*first].center.y - s.y};
  for (const std::size_t k : similar) {
    const Point b{all[k].center.x - s.x, all[k].center.y - s.y};
    const double cosine =
        (a.x * b.x + a.y * b.y) / (std::hypot(a.x, a.y) * std::hypot(b.x, b.y) + 1e-12);
    if (k == seed || std::abs(cosine) > 0.5)
      continue;
    if (!second || distance(all[k].center, s) < distance(all[*second].center, s))
      second = k;
  }
  if (!second)
    return nodes;
  const Point b{all[*second].center.x - s.x, all[*second].center.y - s.y};
  if (std::hypot(b.x, b.y) > 2.5 * std::hypot(a.x, a.y))
    return nodes;

  nodes[seed] = {0, 0, a, b};
  std::vector<std::size_t> queue{seed};
  for (std::size_t q = 0; q < queue.size() && nodes.size() < 400; ++q) {
    const GridNode node = nodes[queue[q]];
    const Point p = all[queue[q]].center;
    const int di[4] = {1, -1, 0, 0}, dj[4] = {0, 0, 1, -1};
    for (int d = 0; d < 4; ++d) {
      const Point step = di[d] != 0 ? node.step_i : node.step_j;
      const double sign = di[d] + dj[d];
      const Point predicted{p.x + sign * step.x, p.y + sign * step.y};
      std::optional<std::size_t> found;
      for (const std::size_t k : similar) {
        if (distance(all[k].center, predicted) < 0.3 * std::hypot(step.x, step.y) &&
            (!found ||
             distance(all[k].center, predicted) < distance(all[*found].center, predicted)))
          found = k;
      }
      if (!found || nodes.count(*found))
        continue;
      GridNode next{node.i + di[d], node.j + dj[d], node.step_i, node.step_j};
      const Point actual{sign * (all[*found].center.x - p.x), sign * (all[*found].center.y - p.y)};
      (di[d] != 0 ? next.step_i : next.step_j) = actual;
      nodes[*found] = next;
      queue.push_back(*found);
    }
  }
  return nodes;
}

// Least-squares homography (h33 = 1) from grid points to image points; needs ≥ 4.
std::optional<detail::Homography> fit_homography(const std::vector<Point>& from,
                                                 const std::vector<Point>& to) {
  double ata[8][8] = {}, atb[8] = {};
  for (std::size_t k = 0; k < from.size(); ++k) {
    const double u = from[k].x, v = from[k].y, x = to[k].x, y = to[k].y;
    const double rows[2][9] = {{u, v, 1, 0, 0, 0, -u * x, -v * x, x},
                               {0, 0, 0, u, v, 1, -u * y, -v * y, y}};
    for (const auto& r : rows) {
      for (int i = 0; i < 8; ++i) {
        atb[i] += r[i] * r[8];
        for (int j = 0; j < 8; ++j)
          ata[i][j] += r[i] * r[j];
      }
    }
  }
  for (int c = 0; c < 8; ++c) {
    int p = c;
    for (int r = c + 1; r < 8; ++r)
      if (std::abs(ata[r][c]) > std::abs(ata[p][c]))
        p = r;
    if (std::abs(ata[p][c]) < 1e-12)
      return std::nullopt;
    std::swap(ata[c], ata[p]);
    std::swap(atb[c], atb[p]);
    for (int r = 0; r < 8; ++r) {
      if (r == c)
        continue;
      const double f = ata[r][c] / ata[c][c];
      for (int k = 0; k < 8; ++k)
        ata[r][k] -= f * ata[c][k];
      atb[r] -= f * atb[c];
    }
  }
  detail::Homography h;
  for (std::size_t i = 0; i < 8; ++i)
    h.m[i] = atb[i] / ata[i][i];
  h.m[8] = 1;
  return h;
}

struct GridLayout {
  int rows = 0, columns = 0;
  Point first;         // centre of patch (row 0, column 0), chart-normalised
  double pitch_u = 0;  // between columns
  double pitch_v = 0;  // between rows
};

// The regular grid the chart's patches sit on, when they do (row by row).
std::optional<GridLayout> grid_layout(const ChartDefinition& chart) {
  if (chart.rows < 2 || chart.columns < 2 ||
      chart.patches.size() !=
          static_cast<std::size_t>(chart.rows) * static_cast<std::size_t>(chart.columns))
    return std::nullopt;
  GridLayout g{
      chart.rows, chart.columns, chart.patches[0].center,
      chart.patches[1].center.x - chart.patches[0].center.x,
      chart.patches[static_cast<std::size_t>(chart.columns)].center.y - chart.patches[0].center.y};
  if (!(g.pitch_u > 0 && g.pitch_v > 0))
    return std::nullopt;
  return g;
}

std::optional<ChartCorners> corners_from_lattice(const std::vector<Candidate>& all,
                                                 const std::map<std::size_t, GridNode>& nodes,
                                                 const GridLayout& layout, double scale,
                                                 std::size_t& members) {
  int i0 = 1 << 20, i1 = -(1 << 20), j0 = 1 << 20, j1 = -(1 << 20);
  for (const auto& [k, n] : nodes)
    i0 = std::min(i0, n.i), i1 = std::max(i1, n.i), j0 = std::min(j0, n.j), j1 = std::max(j1, n.j);
  std::optional<ChartCorners> best;
  members = 0;
  // Either lattice direction may run along the chart's columns.
  for (const bool i_is_column : {true, false}) {
    const int span_i = i_is_column ? layout.columns : layout.rows;
    const int span_j = i_is_column ? layout.rows : layout.columns;
    for (int wi = i1 - span_i + 1; wi <= i0; ++wi) {
      for (int wj = j1 - span_j + 1; wj <= j0; ++wj) {
        std::vector<Point> from, to;
        for (const auto& [k, n] : nodes) {
          if (n.i < wi || n.i >= wi + span_i || n.j < wj || n.j >= wj + span_j)
            continue;
          from.push_back({double(n.i - wi), double(n.j - wj)});
          to.push_back(all[k].center);
        }
        if (from.size() <= members || from.size() < 8)
          continue;
        const auto h = fit_homography(from, to);
        if (!h)
          continue;
        ChartCorners corners;
        const Point unit[4] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
        for (std::size_t c = 0; c < 4; ++c) {
          const double column = (unit[c].x - layout.first.x) / layout.pitch_u;
          const double row = (unit[c].y - layout.first.y) / layout.pitch_v;
          const Point grid = i_is_column ? Point{column, row} : Point{row, column};
          const Point p = h->apply(grid);
          // Working pixel centres are at +0.5; back to the original photo's pixels.
          corners[c] = {(p.x + 0.5) * scale, (p.y + 0.5) * scale};
        }
        if (!detail::is_convex(corners))
          continue;
        members = from.size();
        best = corners;
      }
    }
  }
  return best;
}

// The lattice of patches on one working copy; `members` is how many patches it holds.
std::optional<ChartCorners> find_grid_at(const Working& w, const GridLayout& layout,
                                         std::size_t wanted, std::size_t& members) {
  std::optional<ChartCorners> best;
  members = 0;
  if (w.width < 32 || w.height < 32)
    return best;
  for (const double threshold : {0.025, 0.04, 0.015}) {
    const auto candidates = patch_candidates(w, threshold);
    if (candidates.size() < 8)
      continue;
    std::vector<bool> tried(candidates.size(), false);
    for (std::size_t seed = 0; seed < candidates.size() && members < wanted; ++seed) {
      if (tried[seed])
        continue;
      const auto nodes = grow_lattice(candidates, seed);
      for (const auto& [k, n] : nodes)
        tried[k] = true;
      if (nodes.size() < 8)
        continue;
      std::size_t found = 0;
      const auto corners = corners_from_lattice(candidates, nodes, layout, w.scale, found);
      if (corners && found > members)
        best = corners, members = found;
    }
    if (members >= wanted * 3 / 4)
      break;
  }
  return best;
}

std::optional<ChartCorners> find_grid(const Image& image, const ChartDefinition& chart) {
  const auto layout = grid_layout(chart);
  if (!layout)
    return std::nullopt;
  const std::size_t wanted = chart.patches.size();
  for (const int factor : downscale_factors(image)) {
    std::size_t members = 0;
    const auto corners = find_grid_at(downscale(image, factor), *layout, wanted, members);
    if (corners && members >= wanted / 2)
      return corners;
  }
  return std::nullopt;
}

#ifdef PIGMATCH_HAVE_OPENCV
// OpenCV's mcc models the ColorChecker as a 16.75 × 11.25 box with 2.5-unit patches on a 2.75
// pitch (first centre at 1.5, 1.5); its box corners are mapped onto pigmatch's chart geometry
// through that model.
std::optional<ChartCorners> find_mcc(const Image& image, const ChartDefinition& chart) {
  const auto layout = grid_layout(chart);
  if (!layout || layout->rows != 4 || layout->columns != 6)
    return std::nullopt;
  cv::Mat bgr(image.height, image.width, CV_8UC3);
  for (int y = 0; y < image.height; ++y) {
    auto* out = bgr.ptr<std::uint8_t>(y);
    for (int x = 0; x < image.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        const double v = image.bits == 16 ? std::sqrt(image.row16(y)[3 * x + c] / 65535.0) * 255.0
                                          : image.row8(y)[3 * x + c];
        out[3 * x + (2 - c)] = static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
      }
    }
  }
  try {
    auto detector = cv::mcc::CCheckerDetector::create();
    if (!detector->process(bgr, cv::mcc::MCC24, 1))
      return std::nullopt;
    const auto checker = detector->getBestColorChecker();
    if (!checker)
      return std::nullopt;
    std::vector<cv::Point2f> box = checker->getBox();
    if (box.size() != 4)
      return std::nullopt;
    // The model's first edge is its long side.
    const auto length = [&](std::size_t a, std::size_t b) {
      return std::hypot(box[a].x - box[b].x, box[a].y - box[b].y);
    };
    if (length(0, 1) + length(2, 3) < length(1, 2) + length(3, 0))
      std::rotate(box.begin(), box.begin() + 1, box.end());
    ChartCorners mcc_box;
    for (std::size_t i = 0; i < 4; ++i)
      mcc_box[i] = {box[i].x, box[i].y};
    const auto to_image = detail::Homography::square_to(mcc_box);
    ChartCorners corners;
    const Point unit[4] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
    for (std::size_t c = 0; c < 4; ++c) {
      const double x = 1.5 + 2.75 * (unit[c].x - layout->first.x) / layout->pitch_u;
      const double y = 1.5 + 2.75 * (unit[c].y - layout->first.y) / layout->pitch_v;
      corners[c] = to_image.apply({x / 16.75, y / 11.25});
    }
    if (!detail::is_convex(corners))
      return std::nullopt;
    return corners;
  } catch (const cv::Exception&) {
    return std::nullopt;  // mcc gave up on this photo; the grid finder may still find it
  } catch (const Error&) {
    return std::nullopt;
  }
}
#endif

}  // namespace

std::vector<ChartDetection> detect_chart(const Image& image, const ChartDefinition& chart) {
  if (image.channels != 3 || image.width <= 0 || image.height <= 0)
    return {};
  std::vector<ChartDetection> found;
#ifdef PIGMATCH_HAVE_OPENCV
  if (const auto corners = find_mcc(image, chart))
    found.push_back({*corners, "opencv-mcc"});
#endif
  if (const auto corners = find_grid(image, chart))
    found.push_back({*corners, "grid"});
  return found;
}

bool chart_detection_has_opencv() noexcept {
#ifdef PIGMATCH_HAVE_OPENCV
  return true;
#else
  return false;
#endif
}

}  // namespace pigmatch

#if defined(PIGMATCH_HAVE_OPENCV) && defined(__SANITIZE_ADDRESS__)
// OpenCV 4.6's mcc detector never frees some of its working buffers (allocated by cv::fastMalloc
// inside libopencv_core). Sanitizer builds would report them as leaks in every program that
// detects a chart; they are OpenCV's, so LeakSanitizer is told to ignore that library's leaks.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libopencv_core.so\n";
}
#endif
