#include "regions/stubble_unmixing.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "support/median.h"
#include "support/small_matrix.h"

namespace pigmatch::detail {

namespace {

using Vec3 = std::array<double, 3>;

Vec3 as_vec(const Xyz& p) {
  return {p.X, p.Y, p.Z};
}

Xyz as_xyz(const Vec3& v) {
  return {v[0], v[1], v[2]};
}

double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

// Bickel's half-sample mode: repeatedly keep the shortest interval holding half of the sorted
// values. Robust to a tail on one side (the mixed pixels), needs no bandwidth.
// A quarter of a million values pin a mode down as well as millions do, and sorting millions
// (a large region of a 24 MP photo) costs a second; so at most that many, evenly strided.
constexpr std::size_t mode_sample = 250'000;

// At most mode_sample of `values`, evenly strided, sorted.
void sort_sample(std::vector<double>& values) {
  if (values.size() > mode_sample) {
    const std::size_t stride = (values.size() + mode_sample - 1) / mode_sample;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < values.size(); i += stride)
      values[kept++] = values[i];
    values.resize(kept);
  }
  std::sort(values.begin(), values.end());
}

double half_sample_mode(std::vector<double> values) {
  sort_sample(values);
  std::size_t first = 0, count = values.size();
  while (count > 3) {
    const std::size_t half = (count + 1) / 2;
    std::size_t best = first;
    double shortest = std::numeric_limits<double>::infinity();
    for (std::size_t i = first; i + half <= first + count; ++i) {
      const double width = values[i + half - 1] - values[i];
      if (width < shortest) {
        shortest = width;
        best = i;
      }
    }
    first = best;
    count = half;
  }
  if (count == 3) {
    const bool lower = values[first + 1] - values[first] < values[first + 2] - values[first + 1];
    return lower ? (values[first] + values[first + 1]) / 2
                 : (values[first + 1] + values[first + 2]) / 2;
  }
  return count == 2 ? (values[first] + values[first + 1]) / 2 : values[first];
}

// Where the skin's side of a stubble region's positions rises from nothing to its plateau.
struct SkinEdge {
  double position = 0;  ///< half-way up the rise: the skin, if the rise is the skin's
  double sigma = 0;     ///< the rise's width (its 16 %–84 % span halved): the noise
};

// Dense, blurred dots leave no peak of pure skin: the positions along the line spread evenly
// from the lightest mixtures to the darkest, and the lightest edge of that spread is the skin
// (or the lightest mixture, when no pixel is pure skin) blurred by the noise. The density is read
// from the sorted positions (cells per unit over a moving window), the plateau is its median over
// the central part, and the edge is where it climbs through 16, 50 and 84 % of that.
std::optional<SkinEdge> skin_edge(std::vector<double> values) {
  sort_sample(values);
  const std::size_t n = values.size();
  const std::size_t window = std::max<std::size_t>(20, n / 200);
  if (n < 10 * window)
    return std::nullopt;
  const auto density = [&](std::size_t i) {
    const double span = values[i + window] - values[i];
    return span > 0 ? static_cast<double>(window) / span : std::numeric_limits<double>::infinity();
  };
  std::vector<double> central;
  for (std::size_t i = n / 5; i < 3 * n / 5; i += window / 4)
    central.push_back(density(i));
  const double plateau = median(central);
  if (!(plateau > 0) || !std::isfinite(plateau))
    return std::nullopt;
  const auto rises_to = [&](double share) {
    for (std::size_t i = 0; i + window < n; ++i) {
      if (density(i) >= share * plateau)
        return values[i + window / 2];
    }
    return values[n / 2];
  };
  const double low = rises_to(0.16), half = rises_to(0.5), high = rises_to(0.84);
  return SkinEdge{half, (high - low) / 2};
}

double quantile(std::vector<double> values, double q) {
  const auto at = values.begin() + static_cast<std::ptrdiff_t>(
                                       std::floor(q * static_cast<double>(values.size() - 1)));
  std::nth_element(values.begin(), at, values.end());
  return *at;
}

// The unit eigenvector of the largest eigenvalue of a symmetric 3×3 matrix (power iteration,
// started on the axis with the largest diagonal entry).
Vec3 principal_axis(const std::array<Vec3, 3>& m) {
  std::size_t start = 0;
  for (std::size_t i = 1; i < 3; ++i) {
    if (m[i][i] > m[start][start])
      start = i;
  }
  Vec3 v{};
  v[start] = 1;
  for (int iteration = 0; iteration < 100; ++iteration) {
    const Vec3 next{dot(m[0], v), dot(m[1], v), dot(m[2], v)};
    const double norm = std::sqrt(dot(next, next));
    if (norm == 0)
      break;
    v = {next[0] / norm, next[1] / norm, next[2] / norm};
  }
  return v;
}

// The skin–hair line: from the skin mode along the principal direction of the deviations,
// oriented towards the minority (the hair), whose mean deviation it shares.
struct MixingLine {
  Vec3 skin{};
  Vec3 direction{};
};

MixingLine find_line(const StubbleGrid& g, const std::vector<std::size_t>& cells) {
  std::array<std::vector<double>, 3> channels;
  for (auto& c : channels)
    c.reserve(cells.size());
  for (const std::size_t i : cells) {
    const Vec3 p = as_vec(g.xyz[i]);
    for (std::size_t c = 0; c < 3; ++c)
      channels[c].push_back(p[c]);
  }
  MixingLine line;
  for (std::size_t c = 0; c < 3; ++c)
    line.skin[c] = half_sample_mode(channels[c]);
  std::array<Vec3, 3> moment{};
  Vec3 mean{};
  for (const std::size_t i : cells) {
    const Vec3 p = as_vec(g.xyz[i]);
    const Vec3 v{p[0] - line.skin[0], p[1] - line.skin[1], p[2] - line.skin[2]};
    for (std::size_t r = 0; r < 3; ++r) {
      mean[r] += v[r];
      for (std::size_t c = 0; c < 3; ++c)
        moment[r][c] += v[r] * v[c];
    }
  }
  line.direction = principal_axis(moment);
  // The hair is the tail: the positions along the line are skewed towards it. (The mean
  // deviation from the mode would do while the mode is the skin, but with dense, blurred dots
  // the mode can sit among the mixtures.)
  std::vector<double> positions;
  positions.reserve(cells.size());
  for (const std::size_t i : cells)
    positions.push_back(dot(as_vec(g.xyz[i]), line.direction));
  const double centre =
      std::accumulate(positions.begin(), positions.end(), 0.0) / static_cast<double>(cells.size());
  double third = 0;
  for (const double p : positions)
    third += (p - centre) * (p - centre) * (p - centre);
  if (third < 0)
    line.direction = {-line.direction[0], -line.direction[1], -line.direction[2]};
  return line;
}

constexpr std::size_t no_cell = std::numeric_limits<std::size_t>::max();

// Each usable cell's uphill neighbour (the 8-neighbour with the largest D above its own), or
// itself at a peak; following it groups the cells into one basin per peak.
std::vector<std::size_t> basin_roots(const StubbleGrid& g, const std::vector<double>& along) {
  const std::size_t n = along.size();
  std::vector<std::size_t> up(n, no_cell);
  for (int y = 0; y < g.height; ++y) {
    for (int x = 0; x < g.width; ++x) {
      const std::size_t i = g.at(x, y);
      if (g.usable[i] == 0)
        continue;
      std::size_t best = i;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (!g.contains(nx, ny))
            continue;
          const std::size_t j = g.at(nx, ny);
          if (g.usable[j] != 0 && along[j] > along[best])
            best = j;
        }
      }
      up[i] = best;
    }
  }
  // Path halving: each cell ends pointing at its basin's peak.
  for (std::size_t i = 0; i < n; ++i) {
    if (up[i] == no_cell)
      continue;
    std::size_t root = i;
    while (up[root] != root)
      root = up[root];
    std::size_t at = i;
    while (up[at] != root) {
      const std::size_t next = up[at];
      up[at] = root;
      at = next;
    }
  }
  return up;
}

struct Dot {
  double volume = 0, peak = 0;
  std::size_t cells = 0;
  bool on_edge = false;  // touches the region's border or an unusable cell: volume cut short
};

bool next_to_unusable(const StubbleGrid& g, std::size_t i) {
  const int x = static_cast<int>(i % static_cast<std::size_t>(g.width));
  const int y = static_cast<int>(i / static_cast<std::size_t>(g.width));
  for (int dy = -1; dy <= 1; ++dy) {
    for (int dx = -1; dx <= 1; ++dx) {
      const int nx = x + dx, ny = y + dy;
      if (!g.contains(nx, ny))
        return true;
      if (g.usable[g.at(nx, ny)] == 0) {
        return true;
      }
    }
  }
  return false;
}

// The usable cells whose (2r+1)² neighbourhood holds no cell above `level`, for the largest
// r ≤ 2 that leaves at least 20 of them.
std::vector<std::size_t> clear_of_dots(const StubbleGrid& g, const std::vector<double>& along,
                                       double level) {
  for (int r = 2; r >= 1; --r) {
    std::vector<std::size_t> clear;
    for (int y = 0; y < g.height; ++y) {
      for (int x = 0; x < g.width; ++x) {
        const std::size_t i = g.at(x, y);
        if (g.usable[i] == 0)
          continue;
        bool is_clear = true;
        for (int dy = -r; is_clear && dy <= r; ++dy) {
          for (int dx = -r; is_clear && dx <= r; ++dx) {
            const int nx = x + dx, ny = y + dy;
            if (!g.contains(nx, ny))
              continue;
            const std::size_t j = g.at(nx, ny);
            is_clear = g.usable[j] == 0 || along[j] < level;
          }
        }
        if (is_clear)
          clear.push_back(i);
      }
    }
    if (clear.size() >= 20 || r == 1)
      return clear;
  }
  return {};
}

// The blurred-dot curve: the peak of a dot of contrast `contrast` and volume `volume` under a
// Gaussian blur of `sigma` px, the dot round (the most compact shape for its area).
double dot_peak(double volume, double contrast, double sigma) {
  return contrast * -std::expm1(-volume / (2 * std::numbers::pi * sigma * sigma * contrast));
}

// One point of the upper envelope: dots of similar volume, the volume's median and a high
// quantile of the peaks.
struct EnvelopePoint {
  double volume = 0, peak = 0, weight = 0;
};

// Dots sorted by volume in groups of equal count; in each, the peak that 9 of 10 dots stay below.
// Touching and elongated dots fall below the round-dot curve; the upper decile follows the
// compact ones.
std::vector<EnvelopePoint> upper_envelope(std::vector<Dot> dots) {
  std::sort(dots.begin(), dots.end(),
            [](const Dot& a, const Dot& b) { return a.volume < b.volume; });
  const std::size_t group = std::max<std::size_t>(8, dots.size() / 16);
  std::vector<EnvelopePoint> points;
  for (std::size_t first = 0; first + group <= dots.size(); first += group) {
    const std::size_t last =
        dots.size() - (first + group) < group ? dots.size() : first + group;  // absorb the rest
    std::vector<double> volumes, peaks;
    for (std::size_t i = first; i < last; ++i) {
      volumes.push_back(dots[i].volume);
      peaks.push_back(dots[i].peak);
    }
    points.push_back({median(volumes), quantile(peaks, 0.9), static_cast<double>(last - first)});
    if (last == dots.size())
      break;
  }
  return points;
}

double envelope_cost(const std::vector<EnvelopePoint>& points, double contrast, double sigma) {
  double cost = 0;
  for (const EnvelopePoint& p : points) {
    const double r = p.peak - dot_peak(p.volume, contrast, sigma);
    cost += p.weight * r * r;
  }
  return cost;
}

struct CurveFit {
  double contrast = 0, sigma = 0;
  double contrast_low = 0, contrast_high = 0;  // the 1σ interval of the contrast
  bool at_bound = false;  // the best contrast is the largest the colours allow: unidentified
};

// Least squares over a log grid of (contrast, σ ≥ sigma_min), then a finer grid around the best;
// the contrast's interval from the profile of the cost (Δχ² = 1 with the residual variance).
CurveFit fit_curve(const std::vector<EnvelopePoint>& points, double contrast_min,
                   double contrast_max, double sigma_min = 0.25) {
  constexpr int contrast_steps = 120, sigma_steps = 60;
  constexpr double sigma_max = 4.0;
  const auto contrast_at = [&](double t) {
    return contrast_min * std::pow(contrast_max / contrast_min, t);
  };
  const auto sigma_at = [&](double t) { return sigma_min * std::pow(sigma_max / sigma_min, t); };
  std::vector<double> profile(contrast_steps + 1, std::numeric_limits<double>::infinity());
  double best_cost = std::numeric_limits<double>::infinity();
  int best_c = 0, best_s = 0;
  for (int ci = 0; ci <= contrast_steps; ++ci) {
    for (int si = 0; si <= sigma_steps; ++si) {
      const double cost = envelope_cost(points, contrast_at(ci / double(contrast_steps)),
                                        sigma_at(si / double(sigma_steps)));
      profile[static_cast<std::size_t>(ci)] = std::min(profile[static_cast<std::size_t>(ci)], cost);
      if (cost < best_cost) {
        best_cost = cost;
        best_c = ci;
        best_s = si;
      }
    }
  }
  CurveFit fit;
  fit.at_bound = best_c == contrast_steps;
  // Refine within one step each way.
  double refined_cost = best_cost;
  fit.contrast = contrast_at(best_c / double(contrast_steps));
  fit.sigma = sigma_at(best_s / double(sigma_steps));
  for (int ci = -10; ci <= 10; ++ci) {
    for (int si = -10; si <= 10; ++si) {
      const double tc = std::clamp((best_c + ci / 10.0) / contrast_steps, 0.0, 1.0);
      const double ts = std::clamp((best_s + si / 10.0) / sigma_steps, 0.0, 1.0);
      const double cost = envelope_cost(points, contrast_at(tc), sigma_at(ts));
      if (cost < refined_cost) {
        refined_cost = cost;
        fit.contrast = contrast_at(tc);
        fit.sigma = sigma_at(ts);
      }
    }
  }
  const double total_weight =
      std::accumulate(points.begin(), points.end(), 0.0,
                      [](double sum, const EnvelopePoint& p) { return sum + p.weight; });
  const double degrees = std::max(1.0, static_cast<double>(points.size()) - 2.0);
  // The residual variance of one point of unit weight, and the cost a 1σ change adds: the
  // weights count dots, so a point's variance is the residual variance over its weight.
  const double variance = refined_cost / degrees;
  const double limit = refined_cost + std::max(variance, 1e-12 * total_weight);
  fit.contrast_low = fit.contrast;
  fit.contrast_high = fit.contrast;
  for (int ci = 0; ci <= contrast_steps; ++ci) {
    if (profile[static_cast<std::size_t>(ci)] <= limit) {
      fit.contrast_low = std::min(fit.contrast_low, contrast_at(ci / double(contrast_steps)));
      fit.contrast_high = std::max(fit.contrast_high, contrast_at(ci / double(contrast_steps)));
    }
  }
  return fit;
}

// Where the dots' depth still creeps up with size at the largest ones (clusters slowly filling
// in), the curve runs off to the colours' limit: the hair is then no darker than the deepest dots
// (`top`), which is where it is taken, with the fit's excess as its uncertainty.
CurveFit settled(CurveFit fit, double top, double contrast_max) {
  if (fit.at_bound || fit.contrast > 1.15 * top) {
    fit.contrast_high = std::min(contrast_max, 1.15 * top);
    fit.contrast = top;
    fit.contrast_low = top;
    fit.at_bound = false;
  }
  return fit;
}

// The largest contrast along `line` that keeps the hair a physical colour: no channel below
// zero (a darker hair) and none above a perfect white's (a lighter one).
double largest_contrast(const MixingLine& line) {
  const Vec3 white{white::d50.X, white::d50.Y, white::d50.Z};
  double limit = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < 3; ++c) {
    if (line.direction[c] < -1e-9)
      limit = std::min(limit, (line.skin[c] - 1e-4) / -line.direction[c]);
    else if (line.direction[c] > 1e-9)
      limit = std::min(limit, (white[c] - line.skin[c]) / line.direction[c]);
  }
  return std::max(limit, 0.0);
}

// JFIF's Y′, Cb, Cr of encoded R′G′B′: the domain where a JPEG keeps luma at full resolution
// and filters chroma.
Vec3 jfif_ycc(const Vec3& e) {
  return {0.299 * e[0] + 0.587 * e[1] + 0.114 * e[2],
          -0.168736 * e[0] - 0.331264 * e[1] + 0.5 * e[2],
          0.5 * e[0] - 0.418688 * e[1] - 0.081312 * e[2]};
}

// How the photo encoded a colour: through its own profile when the grid has it (the camera's or
// phone's rendering, which the calibration describes), else as sRGB.
class Encoding {
 public:
  explicit Encoding(const StubbleGrid& g)
      : colour_(g.device.empty() ? std::nullopt : g.device_colour), device_(g.device) {}

  Vec3 ycc_of(const Vec3& xyz) const {
    return jfif_ycc(colour_ ? colour_->to_device(as_xyz(xyz)) : srgb_encoded(as_xyz(xyz)));
  }
  bool has_device() const noexcept { return colour_.has_value(); }
  // The cell's Y′CbCr as the file holds it.
  Vec3 ycc_of_cell(const StubbleGrid& g, std::size_t i) const {
    return colour_ ? jfif_ycc(device_[i]) : jfif_ycc(srgb_encoded(g.xyz[i]));
  }

 private:
  std::optional<DeviceColour> colour_;
  const std::vector<DeviceRgb>& device_;
};

// The chroma of both ends is read through a model of the whole region: every cell is the mixture
// S + fᵢ(H − S) of skin and hair, encoded as the photo encodes it, the mixture being the one whose
// encoded luma is the cell's (a JPEG keeps luma per pixel). A JPEG does not keep chroma per pixel:
// it subsamples it (4:2:2, 4:2:0), zeroes most of its high frequencies (chroma is quantised more
// coarsely than luma, even at 4:4:4), and cameras and phones filter it besides, so the chroma of
// skin between the dots carries the dots' and a dot's carries the skin's. What survives all of it
// is each 16 × 16 block's mean: JPEG codes it as the chroma blocks' DC, which lie on the photo's
// 16-pixel grid, and linear filters keep it. So the model's chroma and the observed are compared
// as means over the photo's 16 × 16 blocks, and the ends' chroma follow by Gauss–Newton: the
// blocks' coverage varies with the dots' random placement, which tells the skin's share of a
// block's chroma from the hair's. No pixel needs to be pure hair or pure skin, and no chroma is
// averaged across the nonlinear encoding.
// Where luma does not tell skin from hair (hair as light as the skin), the cell's place along the
// skin–hair line gives its mixture instead.
constexpr int chroma_block = 16;

// The two end-members of a mixture, and how far the hair's chroma may be off: the 1σ moves of
// the hair across the line that the blocks' scatter allows (zero when not estimated).
struct Ends {
  Vec3 skin{}, hair{};
  std::array<Vec3, 2> hair_sigma{};
};

class EndsChromaModel {
 public:
  EndsChromaModel(const StubbleGrid& g, const std::vector<double>& along, const MixingLine& line,
                  double contrast)
      : line_(line), encoding_(g) {
    const int first_x = (chroma_block - g.origin_x % chroma_block) % chroma_block;
    const int first_y = (chroma_block - g.origin_y % chroma_block) % chroma_block;
    for (int by = first_y; by + chroma_block <= g.height; by += chroma_block) {
      for (int bx = first_x; bx + chroma_block <= g.width; bx += chroma_block) {
        if (Block block = read_block(g, along, contrast, bx, by); !block.luma.empty())
          blocks_.push_back(std::move(block));
      }
    }
  }

  // Enough blocks for four unknowns to be told apart.
  bool usable() const noexcept { return blocks_.size() >= 16; }

  // Gauss–Newton on the two ends' components across the line (finite-difference Jacobian).
  Ends solve(Ends ends) const {
    const Vec3& d = line_.direction;
    const Vec3 helper = std::abs(d[0]) < 0.6 ? Vec3{1, 0, 0} : Vec3{0, 0, 1};
    Vec3 e1{helper[0] - dot(helper, d) * d[0], helper[1] - dot(helper, d) * d[1],
            helper[2] - dot(helper, d) * d[2]};
    const double n1 = std::sqrt(dot(e1, e1));
    e1 = {e1[0] / n1, e1[1] / n1, e1[2] / n1};
    const Vec3 e2{d[1] * e1[2] - d[2] * e1[1], d[2] * e1[0] - d[0] * e1[2],
                  d[0] * e1[1] - d[1] * e1[0]};
    constexpr std::size_t unknowns = 4;  // hair along e1, e2; skin along e1, e2
    const auto moved = [&](Ends at, std::size_t unknown, double by) {
      Vec3& end = unknown < 2 ? at.hair : at.skin;
      const Vec3& e = unknown % 2 == 0 ? e1 : e2;
      for (std::size_t c = 0; c < 3; ++c)
        end[c] += by * e[c];
      return at;
    };
    constexpr double step = 1e-3;
    for (int iteration = 0; iteration < 8; ++iteration) {
      const std::vector<std::array<double, 2>> r0 = residuals(ends);
      std::array<std::vector<std::array<double, 2>>, unknowns> r;
      for (std::size_t u = 0; u < unknowns; ++u)
        r[u] = residuals(moved(ends, u, step));
      // Normal equations of the linearised residuals r0 − J·δ.
      SquareMatrix<unknowns> normal{};
      std::array<double, unknowns> rhs{};
      for (std::size_t k = 0; k < r0.size(); ++k) {
        for (std::size_t c = 0; c < 2; ++c) {
          std::array<double, unknowns> j{};
          for (std::size_t u = 0; u < unknowns; ++u)
            j[u] = (r0[k][c] - r[u][k][c]) / step;
          for (std::size_t a = 0; a < unknowns; ++a) {
            rhs[a] += j[a] * r0[k][c];
            for (std::size_t b = 0; b < unknowns; ++b)
              normal[a][b] += j[a] * j[b];
          }
        }
      }
      SquareMatrix<unknowns> inverse{};
      if (!invert_leading(normal, unknowns, inverse, 1e-30))
        break;
      std::array<double, unknowns> delta{};
      for (std::size_t a = 0; a < unknowns; ++a) {
        for (std::size_t b = 0; b < unknowns; ++b)
          delta[a] += inverse[a][b] * rhs[b];
      }
      // A full step can overshoot where the blocks hardly tell the ends apart (dense dots: every
      // block near the same coverage) and run off to colours no surface has; so the step is
      // halved until the misfit falls, and the ends stay physical.
      const double before = misfit(r0);
      bool improved = false;
      for (int halving = 0; halving < 6 && !improved; ++halving) {
        Ends next = ends;
        for (std::size_t a = 0; a < unknowns; ++a)
          next = moved(next, a, delta[a]);
        if (physical(next) && misfit(residuals(next)) < before) {
          ends = next;
          improved = true;
        } else {
          for (double& v : delta)
            v /= 2;
        }
      }
      const double longest =
          std::abs(*std::max_element(delta.begin(), delta.end(),
                                     [](double a, double b) { return std::abs(a) < std::abs(b); }));
      if (!improved || longest < 1e-6)
        break;
    }
    // The hair's chroma's standard errors: the normal matrix's inverse scaled by the residual
    // variance of a block, which holds the model's misfit as well as the noise.
    const std::vector<std::array<double, 2>> r0 = residuals(ends);
    std::array<std::vector<std::array<double, 2>>, unknowns> r;
    for (std::size_t u = 0; u < unknowns; ++u)
      r[u] = residuals(moved(ends, u, step));
    SquareMatrix<unknowns> normal{};
    double squares = 0;
    for (std::size_t k = 0; k < r0.size(); ++k) {
      for (std::size_t c = 0; c < 2; ++c) {
        squares += r0[k][c] * r0[k][c];
        for (std::size_t a = 0; a < unknowns; ++a) {
          for (std::size_t b = 0; b < unknowns; ++b)
            normal[a][b] += (r0[k][c] - r[a][k][c]) / step * (r0[k][c] - r[b][k][c]) / step;
        }
      }
    }
    SquareMatrix<unknowns> inverse{};
    const double degrees = 2.0 * static_cast<double>(r0.size()) - unknowns;
    if (degrees > 0 && invert_leading(normal, unknowns, inverse, 1e-30)) {
      for (std::size_t u = 0; u < 2; ++u) {
        const double sigma = std::sqrt(std::max(0.0, inverse[u][u] * squares / degrees));
        const Vec3& e = u == 0 ? e1 : e2;
        ends.hair_sigma[u] = {sigma * e[0], sigma * e[1], sigma * e[2]};
      }
    }
    return ends;
  }

 private:
  static double misfit(const std::vector<std::array<double, 2>>& residuals) {
    double squares = 0;
    for (const auto& r : residuals)
      squares += r[0] * r[0] + r[1] * r[1];
    return squares;
  }

  // Both ends non-negative XYZ within a perfect white's (D50), as a surface's colour is.
  static bool physical(const Ends& ends) {
    constexpr Vec3 white{0.9642, 1.0, 0.8249};
    for (const Vec3* end : {&ends.skin, &ends.hair}) {
      for (std::size_t c = 0; c < 3; ++c) {
        if (!((*end)[c] >= 0 && (*end)[c] <= white[c] * 1.05))
          return false;
      }
    }
    return true;
  }

  struct Block {
    std::vector<double> fractions;         // the cells' places along the line, 0 → 1
    std::vector<double> luma;              // their encoded luma
    std::array<double, 2> observed{0, 0};  // their mean encoded chroma
  };

  // The block at (bx, by), empty unless all its cells are usable or clipped in the photo's own
  // values. Clipped cells count as the photo holds them, which the model's encoding clips alike:
  // leaving out the blocks that hold them would keep the blocks with the least dark hair.
  Block read_block(const StubbleGrid& g, const std::vector<double>& along, double contrast, int bx,
                   int by) const {
    Block block;
    for (int y = by; y < by + chroma_block; ++y) {
      for (int x = bx; x < bx + chroma_block; ++x) {
        const std::size_t i = g.at(x, y);
        const bool clipped = g.usable[i] == 0 && !g.clipped.empty() && g.clipped[i] != 0;
        if (g.usable[i] == 0 && !(clipped && encoding_.has_device()))
          return {};
        const Vec3 ycc = encoding_.ycc_of_cell(g, i);
        // A clipped cell's place on the line is unknown: hair when dark, skin when bright.
        const double fraction = clipped ? (ycc[0] < 0.5 ? 1.0 : 0.0) : along[i] / contrast;
        block.fractions.push_back(fraction);
        block.luma.push_back(ycc[0]);
        block.observed[0] += ycc[1];
        block.observed[1] += ycc[2];
      }
    }
    const auto n = static_cast<double>(block.luma.size());
    block.observed = {block.observed[0] / n, block.observed[1] / n};
    return block;
  }

  // Observed minus model mean chroma, block by block.
  std::vector<std::array<double, 2>> residuals(const Ends& ends) const {
    const std::vector<Vec3> curve = mixing_curve(ends);
    const bool by_luma = luma_tells_mixture(curve);
    std::vector<std::array<double, 2>> r;
    r.reserve(blocks_.size());
    for (const Block& block : blocks_) {
      std::array<double, 2> model{0, 0};
      for (std::size_t k = 0; k < block.luma.size(); ++k) {
        const std::array<double, 2> chroma = by_luma
                                                 ? chroma_at_luma(curve, block.luma[k])
                                                 : chroma_at_fraction(curve, block.fractions[k]);
        model[0] += chroma[0];
        model[1] += chroma[1];
      }
      const auto n = static_cast<double>(block.luma.size());
      r.push_back({block.observed[0] - model[0] / n, block.observed[1] - model[1] / n});
    }
    return r;
  }

  // The mixtures S + f(H − S) for f from −0.3 to 1.3, encoded: luma and chroma by f.
  static constexpr int curve_steps = 320;
  static constexpr double curve_first = -0.3, curve_last = 1.3;

  std::vector<Vec3> mixing_curve(const Ends& ends) const {
    const Vec3& s = ends.skin;
    const Vec3& h = ends.hair;
    std::vector<Vec3> curve;
    curve.reserve(curve_steps + 1);
    for (int k = 0; k <= curve_steps; ++k) {
      const double f = curve_first + (curve_last - curve_first) * k / curve_steps;
      curve.push_back(encoding_.ycc_of(
          {s[0] + f * (h[0] - s[0]), s[1] + f * (h[1] - s[1]), s[2] + f * (h[2] - s[2])}));
    }
    return curve;
  }

  // Luma tells the mixture when it changes monotonically and clearly from skin to hair.
  static bool luma_tells_mixture(const std::vector<Vec3>& curve) {
    const double sign = curve.back()[0] > curve.front()[0] ? 1.0 : -1.0;
    for (std::size_t k = 1; k < curve.size(); ++k) {
      if (sign * (curve[k][0] - curve[k - 1][0]) <= 0)
        return false;
    }
    return std::abs(curve.back()[0] - curve.front()[0]) > 0.1;
  }

  // The curve's chroma at the place whose luma is `luma` (linear between the table's steps;
  // beyond its ends, its end).
  static std::array<double, 2> chroma_at_luma(const std::vector<Vec3>& curve, double luma) {
    const bool rising = curve.back()[0] > curve.front()[0];
    const auto below = [&](const Vec3& p, double v) { return rising ? p[0] < v : p[0] > v; };
    const auto it = std::lower_bound(curve.begin(), curve.end(), luma, below);
    if (it == curve.begin())
      return {curve.front()[1], curve.front()[2]};
    if (it == curve.end())
      return {curve.back()[1], curve.back()[2]};
    const Vec3& hi = *it;
    const Vec3& lo = *(it - 1);
    const double t = (luma - lo[0]) / (hi[0] - lo[0]);
    return {lo[1] + t * (hi[1] - lo[1]), lo[2] + t * (hi[2] - lo[2])};
  }

  static std::array<double, 2> chroma_at_fraction(const std::vector<Vec3>& curve, double f) {
    const double at =
        std::clamp((f - curve_first) / (curve_last - curve_first), 0.0, 1.0) * curve_steps;
    const auto k =
        std::min(static_cast<std::size_t>(at), static_cast<std::size_t>(curve_steps - 1));
    const double t = at - static_cast<double>(k);
    return {curve[k][1] + t * (curve[k + 1][1] - curve[k][1]),
            curve[k][2] + t * (curve[k + 1][2] - curve[k][2])};
  }

  MixingLine line_;
  Encoding encoding_;
  std::vector<Block> blocks_;
};

// The hair and skin colours: the hair's component along the line is `contrast`, the skin's is the
// line's start; their chroma comes from EndsChromaModel. At most this many cells a side feed the
// chroma model: ample for thousands of dots, and it keeps a large region on a 24 MP photo as fast
// as a small one.
constexpr int chroma_window = 384;

Ends solve_ends(const StubbleGrid& full, const std::vector<double>& full_along,
                const MixingLine& line, double contrast) {
  // The centred window of the region, as a grid of its own.
  const int w = std::min(full.width, chroma_window), h = std::min(full.height, chroma_window);
  const int x0 = (full.width - w) / 2, y0 = (full.height - h) / 2;
  StubbleGrid g;
  g.width = w;
  g.height = h;
  g.origin_x = full.origin_x + x0;
  g.origin_y = full.origin_y + y0;
  if (!full.device.empty())
    g.device_colour = full.device_colour;
  std::vector<double> along;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const std::size_t from = full.at(x + x0, y + y0);
      g.xyz.push_back(full.xyz[from]);
      g.usable.push_back(full.usable[from]);
      if (!full.clipped.empty())
        g.clipped.push_back(full.clipped[from]);
      if (!full.device.empty())
        g.device.push_back(full.device[from]);
      along.push_back(full_along[from]);
    }
  }
  const Vec3 on_line{line.skin[0] + contrast * line.direction[0],
                     line.skin[1] + contrast * line.direction[1],
                     line.skin[2] + contrast * line.direction[2]};
  const EndsChromaModel model(g, along, line, contrast);
  const Ends start{line.skin, on_line};
  return model.usable() ? model.solve(start) : start;
}

constexpr double noise_from_mad = 1.4826;
constexpr double dense_edge_ratio = 3;  // the mode's noise against the light edge's width
// The bulk of a dense region lies this many of the edge's σ beyond it (plain skin's median lies
// about one σ beyond its edge).
constexpr double dense_bulk_sigmas = 6;
// Cut at its median, a stubble region's skin is one piece holding at least this share of its
// side, and at least this many times the share of the hair's largest piece.
constexpr double background_share = 0.4;
constexpr double background_over_blobs = 2;
// Hair found over this share of a region whose shape does not tell its skin from its hair is
// checked for which end is the skin's.
constexpr double dense_coverage = 0.35;
// A typical dot whose centre reaches this much hair shows the hair itself (sampling.cpp then
// reads the dots' interiors); short of it, the hair is an extrapolation.
constexpr double deep_enough = StubbleUnmixing::dots_show_hair_depth;
// The skin's end of a dense region is sharper than the hair's by at least this much.
constexpr double sharper_edge_ratio = 1.5;
constexpr double dot_threshold_sigmas = 4.5;  // a dot's peak must stand this far out of the noise
constexpr std::size_t min_dots = 10;
// Stubble has a dot in every few dozen pixels (coverage 0.05 with 3 px dots: one in 140); a
// JPEG's noise on plain skin throws a peak past the threshold about once in 1 500 pixels.
constexpr std::size_t cells_per_dot = 500;
constexpr double min_coverage = 0.02;  // less hair than this is not stubble to match
constexpr double min_blur_px = 0.35;
// Noise throws a peak past the threshold about once in 1 500 pixels; a dot in every 100 or fewer
// is real texture, not the JPEG's noise, whatever the envelope's shape says.
constexpr std::size_t dense_cells_per_dot = 100;
constexpr std::size_t min_dots_fitted = 24;  // three envelope points of eight dots

// The share of a phase's usable cells (those above `level` along the line, or those at or below
// it) that its largest 4-connected piece holds.
double largest_piece_share(const StubbleGrid& g, const std::vector<double>& along, double level,
                           bool above) {
  const auto in_phase = [&](std::size_t i) {
    return g.usable[i] != 0 && (along[i] > level) == above;
  };
  std::vector<std::uint8_t> seen(along.size(), 0);
  std::vector<std::size_t> stack;
  std::size_t total = 0, largest = 0;
  for (std::size_t start = 0; start < along.size(); ++start) {
    if (seen[start] != 0 || !in_phase(start))
      continue;
    std::size_t size = 0;
    seen[start] = 1;
    stack.push_back(start);
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      ++size;
      const int x = static_cast<int>(i % static_cast<std::size_t>(g.width));
      const int y = static_cast<int>(i / static_cast<std::size_t>(g.width));
      for (const auto& [dx, dy] :
           {std::pair{1, 0}, std::pair{-1, 0}, std::pair{0, 1}, std::pair{0, -1}}) {
        if (!g.contains(x + dx, y + dy))
          continue;
        const std::size_t j = g.at(x + dx, y + dy);
        if (seen[j] == 0 && in_phase(j)) {
          seen[j] = 1;
          stack.push_back(j);
        }
      }
    }
    total += size;
    largest = std::max(largest, size);
  }
  return total == 0 ? 0.0 : static_cast<double>(largest) / static_cast<double>(total);
}

// Which way the line points: from the skin to the hair, or the reverse. The skew that oriented
// it says little when the hair covers near half the region; the dots' shape does. Follicles are
// separate blobs that touch in clusters but do not join across the region below about two thirds
// coverage (the percolation threshold of overlapping discs), while the skin between them is one
// connected background. Cut at the median, half the cells on each side, the skin's side is then
// mostly one piece and the hair's many small ones. Where neither side is clearly so (plain skin,
// or dots so small against the blur that the field is a symmetric blur of noise), the shape
// says nothing and the skew stands.
enum class LineOrientation { to_hair, to_skin, unknown };

LineOrientation orientation_from_shape(const StubbleGrid& g, const std::vector<double>& along,
                                       const std::vector<double>& values) {
  const double level = median(values);
  const double towards = largest_piece_share(g, along, level, true);
  const double away = largest_piece_share(g, along, level, false);
  if (towards >= background_share && towards >= background_over_blobs * away)
    return LineOrientation::to_skin;
  if (away >= background_share && away >= background_over_blobs * towards)
    return LineOrientation::to_hair;
  return LineOrientation::unknown;
}

// Where pure skin sits on the skin–hair line, and the noise around it.
struct SkinLevel {
  double position = 0;
  double noise = 0;
};

// The mode of the half of the cells on the skin's side of the median, where pure skin is the
// largest group unless the dots are dense and blurred; the noise from the cells below that mode.
SkinLevel skin_mode(const std::vector<double>& values) {
  std::vector<double> lower_half = values;
  const double middle = median(lower_half);
  std::erase_if(lower_half, [&](double v) { return v > middle; });
  const double mode = half_sample_mode(lower_half);
  std::vector<double> skin_side;
  for (const double v : values) {
    if (v < mode)
      skin_side.push_back(mode - v);
  }
  return {mode, noise_from_mad * median(skin_side)};
}

// Dense, blurred dots: the skin at the light edge of the positions, when that edge is far sharper
// than the spread below the mode (a peak of pure skin rises about as steeply as its own spread:
// a Gaussian's 16–84 % of peak height spans 1.3σ) and the bulk of the region lies far beyond the
// edge's noise (plain skin's does not).
std::optional<SkinLevel> skin_at_edge(const std::vector<double>& values, const SkinLevel& mode) {
  const std::optional<SkinEdge> edge = skin_edge(values);
  if (!edge || !(edge->sigma > 0) || !(mode.noise > dense_edge_ratio * edge->sigma) ||
      !(edge->position < mode.position))
    return std::nullopt;
  if (!(median(values) - edge->position > dense_bulk_sigmas * edge->sigma))
    return std::nullopt;
  return SkinLevel{edge->position, edge->sigma};
}

StubbleUnmixing unmix_at(const StubbleGrid& g, const std::vector<std::size_t>& cells,
                         MixingLine line, std::vector<double> along, const SkinLevel& skin_level,
                         bool dense);

}  // namespace

StubbleUnmixing unmix_stubble(const StubbleGrid& g) {
  std::vector<std::size_t> cells;
  for (std::size_t i = 0; i < g.usable.size(); ++i) {
    if (g.usable[i] != 0)
      cells.push_back(i);
  }
  if (cells.size() < 50) {
    StubbleUnmixing out;
    out.why_not = "the region has under 50 usable pixels; draw a larger region";
    return out;
  }

  MixingLine line = find_line(g, cells);
  std::vector<double> along(g.xyz.size(), 0.0);
  std::vector<double> values;
  values.reserve(cells.size());
  for (const std::size_t i : cells) {
    const Vec3 p = as_vec(g.xyz[i]);
    along[i] = dot({p[0] - line.skin[0], p[1] - line.skin[1], p[2] - line.skin[2]}, line.direction);
    values.push_back(along[i]);
  }
  const LineOrientation orientation = orientation_from_shape(g, along, values);
  if (orientation == LineOrientation::to_skin) {
    for (double& d : line.direction)
      d = -d;
    for (double& v : along)
      v = -v;
    for (double& v : values)
      v = -v;
  }
  const SkinLevel mode = skin_mode(values);
  StubbleUnmixing out = unmix_at(g, cells, line, along, mode, false);
  // The positions seen from the other end, built only where a check needs that end (a large
  // region holds millions of them).
  const auto reversed = [&values] {
    std::vector<double> negated(values.size());
    std::transform(values.begin(), values.end(), negated.begin(), std::negate<>());
    return negated;
  };
  // Unless the dots' shape has told which end is the skin's, the skew that oriented the line says
  // little when the hair covers near half the region; but pure skin is common between the dots
  // while pure hair is rare (a blurred dot's centre seldom reaches it), so the skin's end must
  // then be clearly the sharper of the two. When it is not, which end is the skin is not known,
  // and the region is refused rather than guessed.
  const auto refuse_as_ambiguous = [&] {
    StubbleUnmixing refused;
    refused.skin = out.skin;
    refused.hair = out.skin;
    refused.ends_ambiguous = true;
    refused.why_not =
        "the dots are dense and small, and neither end of their colours is clearly the skin's";
    return refused;
  };
  if (out.hair_found && orientation == LineOrientation::unknown && out.coverage >= dense_coverage) {
    const std::optional<SkinEdge> edge = skin_edge(values);
    const std::optional<SkinEdge> other_edge = skin_edge(reversed());
    if (!edge || !other_edge || !(other_edge->sigma > sharper_edge_ratio * edge->sigma))
      return refuse_as_ambiguous();
  }
  // No dot stands out of the spread below the mode: with dense, blurred dots that spread is the
  // mixtures', not the noise's, and the skin is the light edge of the positions.
  if (!out.hair_found && out.dots_fitted < min_dots_fitted) {
    const std::optional<SkinLevel> edge = skin_at_edge(values, mode);
    const std::vector<double> from_other_end = reversed();
    const std::optional<SkinLevel> other_edge =
        skin_at_edge(from_other_end, skin_mode(from_other_end));
    if (orientation == LineOrientation::unknown && edge && other_edge &&
        !(other_edge->noise > sharper_edge_ratio * edge->noise))
      return refuse_as_ambiguous();
    if (edge) {
      StubbleUnmixing from_edge = unmix_at(g, cells, line, std::move(along), *edge, true);
      if (from_edge.hair_found)
        return from_edge;
    }
  }
  return out;
}

namespace {

StubbleUnmixing unmix_at(const StubbleGrid& g, const std::vector<std::size_t>& cells,
                         MixingLine line, std::vector<double> along, const SkinLevel& skin_level,
                         bool dense) {
  StubbleUnmixing out;
  const double noise = skin_level.noise;
  for (const std::size_t i : cells)
    along[i] -= skin_level.position;
  for (std::size_t c = 0; c < 3; ++c)
    line.skin[c] += skin_level.position * line.direction[c];
  out.skin = as_xyz(line.skin);
  out.hair = out.skin;
  if (!(noise > 0)) {
    out.why_not = "the region's pixels are all alike: no hair in it";
    return out;
  }

  // Dots: basins of steepest ascent whose peak stands out of the noise.
  const std::vector<std::size_t> root = basin_roots(g, along);
  std::vector<Dot> by_root(g.xyz.size());
  for (const std::size_t i : cells) {
    Dot& d = by_root[root[i]];
    d.volume += along[i];
    d.cells += 1;
    d.on_edge = d.on_edge || next_to_unusable(g, i);
  }
  const double threshold = dot_threshold_sigmas * noise;
  std::vector<std::uint8_t> in_dot(g.xyz.size(), 0);
  std::vector<Dot> fitted;
  for (const std::size_t i : cells) {
    if (root[i] != i)
      continue;
    Dot& d = by_root[i];
    d.peak = along[i];
    if (d.peak < threshold)
      continue;
    ++out.dots;
    if (!d.on_edge && d.volume > 0)
      fitted.push_back(d);
  }
  for (const std::size_t i : cells) {
    if (along[root[i]] >= threshold)
      in_dot[i] = 1;
  }
  out.hair_pixels = static_cast<std::size_t>(std::count(in_dot.begin(), in_dot.end(), 1));
  out.skin_pixels = cells.size() - out.hair_pixels;
  out.dots_fitted = fitted.size();

  // The skin colour from the cells with no dot anywhere near (a 5×5, else 3×3, neighbourhood
  // free of anything above the noise): JPEG's subsampled chroma spreads each dot's chroma over
  // its neighbours, so skin next to a dot, though pure in luma, is not pure in colour. Every
  // volume and the hair's extrapolation depend on the skin, so it is re-centred on them.
  const std::vector<std::size_t> pure = clear_of_dots(g, along, 3 * noise);
  if (pure.size() >= 20) {
    std::array<std::vector<double>, 3> channels;
    for (const std::size_t i : pure) {
      const Vec3 p = as_vec(g.xyz[i]);
      for (std::size_t c = 0; c < 3; ++c)
        channels[c].push_back(p[c]);
    }
    const Vec3 skin{median(channels[0]), median(channels[1]), median(channels[2])};
    const double level = dot(
        {skin[0] - line.skin[0], skin[1] - line.skin[1], skin[2] - line.skin[2]}, line.direction);
    for (const std::size_t i : cells)
      along[i] -= level;
    for (Dot& d : fitted) {
      d.volume -= level * static_cast<double>(d.cells);
      d.peak -= level;
    }
    std::erase_if(fitted, [](const Dot& d) { return d.volume <= 0; });
    line.skin = skin;
    out.skin = as_xyz(line.skin);
    out.hair = out.skin;
  }
  if (out.dots < std::max(min_dots, cells.size() / cells_per_dot) ||
      fitted.size() < min_dots_fitted) {
    out.why_not = out.dots == 0 ? "no hair dots stand out of the skin's noise"
                                : "only a few specks stand out of the skin's noise, too few for "
                                  "stubble";
    return out;
  }

  const std::vector<EnvelopePoint> envelope = upper_envelope(fitted);
  double top = 0;
  for (const EnvelopePoint& p : envelope)
    top = std::max(top, p.peak);
  const double contrast_max = largest_contrast(line);
  if (!(contrast_max > top * 0.7)) {
    out.why_not =
        "the dots go beyond any colour a surface can have (a highlight or a clipped "
        "area?)";
    return out;
  }
  // The larger half of the dots decides: the smallest ones share their flanks with neighbours,
  // which shortens their volume and lifts them off the curve.
  const std::vector<EnvelopePoint> larger(
      envelope.begin() +
          static_cast<std::ptrdiff_t>(envelope.size() >= 6 ? envelope.size() / 2 : 0),
      envelope.end());
  CurveFit fit = settled(fit_curve(larger, top * 0.7, contrast_max), top, contrast_max);
  // Dense stubble can fit sharper than any lens draws too: its dots touch, the basins split the
  // clusters unevenly and the envelope flattens, so it does not determine the blur. There the
  // blur is held at the sharpest a lens draws and the contrast fitted alone; sparse specks that
  // sharp are still refused below as noise.
  if (fit.sigma < min_blur_px && out.dots * dense_cells_per_dot >= cells.size())
    fit = settled(fit_curve(larger, top * 0.7, contrast_max, min_blur_px), top, contrast_max);
  double mean_along = 0;
  for (const std::size_t i : cells)
    mean_along += along[i];
  mean_along /= static_cast<double>(cells.size());
  if (!(mean_along > 0)) {
    out.why_not = "the region is on average no darker or lighter than its skin: no hair in it";
    return out;
  }
  if (mean_along / fit.contrast < min_coverage) {
    out.why_not = "the specks that stand out cover under 2 % of the region, too few for stubble";
    return out;
  }
  // Specks narrower than a lens and a pixel can draw (σ 0.29 px for the pixel alone) are the
  // JPEG's noise, not hair.
  if (fit.sigma < min_blur_px) {
    out.why_not =
        "the specks that stand out are single pixels, sharper than any lens draws: "
        "the photo's noise, not hair";
    return out;
  }
  const Ends ends = solve_ends(g, along, line, fit.contrast);
  const Vec3& hair = ends.hair;
  // The skin's chroma as the blocks tell it: the cells between dots carry the dots' chroma too.
  line.skin = ends.skin;
  out.skin = as_xyz(ends.skin);
  // The hair at another contrast on the same line from the skin.
  const auto hair_at = [&](double contrast) {
    const double scale = contrast / fit.contrast;
    return as_xyz({std::max(1e-5, line.skin[0] + scale * (hair[0] - line.skin[0])),
                   std::max(1e-5, line.skin[1] + scale * (hair[1] - line.skin[1])),
                   std::max(1e-5, line.skin[2] + scale * (hair[2] - line.skin[2]))});
  };
  out.hair_found = true;
  out.hair = hair_at(fit.contrast);
  out.coverage = mean_along / fit.contrast;
  out.contrast_to_noise = fit.contrast / noise;
  out.psf_sigma_px = fit.sigma;
  // The interval holds the fit's own 1σ and, where no dot is deep enough to show the hair itself,
  // as much again beyond the fit as the fit lies beyond the deepest dots: an extrapolation is no
  // better known than its length. And when the typical dot is small against the blur (its
  // centre short of pure hair at the fitted blur), the deepest "dots" may be clusters whose
  // shape the curve does not know: they may be no deeper than a typical dot, and the hair then
  // as much darker than the deepest as a typical dot's centre falls short of it — fully so under
  // 80 % hair, and in proportion between 80 and 97 % (a switch at 80 % left black hair whose
  // typical dot reached 83–89 % read 7–19 ΔE00 too light with an interval of 1–2 in the honesty
  // scan of bench/RESULTS.md). Dense dots whose skin is the light edge of their mixtures are
  // all such clusters, however deep they look.
  const double beyond = std::max(0.0, fit.contrast - top);
  std::vector<double> volumes;
  volumes.reserve(fitted.size());
  for (const Dot& d : fitted)
    volumes.push_back(d.volume);
  const double typical_depth =
      -std::expm1(-median(volumes) / top / (2 * std::numbers::pi * fit.sigma * fit.sigma));
  out.typical_depth = typical_depth;
  const double short_of_hair =
      dense ? 1.0 : std::clamp((deep_enough - typical_depth) / (deep_enough - 0.8), 0.0, 1.0);
  const double worst =
      short_of_hair > 0
          ? top + short_of_hair * (top / std::max(std::min(typical_depth, 0.8), 0.5) - top)
          : 0.0;
  // On the renders of bench/stubble_accuracy.py the contrast found is within about 2 % of the
  // truth where the dots are 2–4 px across; that much is always allowed for. Near black it is
  // several L*: the lightness of very dark hair hangs on the last per cent of its contrast.
  constexpr double method_tolerance = 0.02;
  // How far the hair can go along its own direction (not the line's) and stay a colour.
  const MixingLine towards_hair{
      line.skin,
      {(hair[0] - line.skin[0]) / fit.contrast, (hair[1] - line.skin[1]) / fit.contrast,
       (hair[2] - line.skin[2]) / fit.contrast}};
  const double physical = std::max(fit.contrast, largest_contrast(towards_hair));
  const double low = std::min({fit.contrast_low, std::max(top, fit.contrast - beyond),
                               fit.contrast * (1 - method_tolerance)});
  const double high = std::min(physical, std::max({fit.contrast_high, fit.contrast + beyond, worst,
                                                   fit.contrast * (1 + method_tolerance)}));
  const double along_line = delta_e2000(to_lab(hair_at(low)), to_lab(hair_at(high))) / 2;
  // And across it: the chroma's standard errors from the blocks.
  const auto moved_by = [&](const Vec3& v) {
    return to_lab(as_xyz({std::max(1e-5, hair[0] + v[0]), std::max(1e-5, hair[1] + v[1]),
                          std::max(1e-5, hair[2] + v[2])}));
  };
  const Lab hair_lab = to_lab(as_xyz(hair));
  const double across_line = std::hypot(delta_e2000(hair_lab, moved_by(ends.hair_sigma[0])),
                                        delta_e2000(hair_lab, moved_by(ends.hair_sigma[1])));
  out.hair_uncertainty_de00 = std::hypot(along_line, across_line);
  return out;
}

}  // namespace

}  // namespace pigmatch::detail
