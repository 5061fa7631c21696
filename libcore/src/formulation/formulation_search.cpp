#include "formulation/formulation_search.h"

#include <algorithm>
#include <cmath>

namespace pigmatch::formulation {

namespace {

// A continuous solution this close (ΔE-like units) is a match: no further starts are tried.
constexpr double converged = 1e-3;

std::uint64_t key_of(const Subset& s) {
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < s.size; ++i)
    key = key << 16 | (s.pigments[i] + 1);
  return key;
}

// Keeps x a mix: concentrations >= 0 and, with a diluent, at most 1 in total; without one,
// summing to 1.
void project(Values& x, std::size_t n, bool has_diluent, double floor) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = std::max(x[i], floor);
    sum += x[i];
  }
  if (has_diluent ? sum > 1 : sum > 0) {
    for (std::size_t i = 0; i < n; ++i)
      x[i] /= sum;
  } else if (!has_diluent) {
    for (std::size_t i = 0; i < n; ++i)
      x[i] = 1.0 / static_cast<double>(n);
  }
}

// Solves the damped normal equations (JᵀJ + μ·(diag + ε)) δ = −Jᵀr for n <= 4 unknowns.
Values damped_step(const std::array<Vec3, max_subset>& jacobian, const Vec3& r, std::size_t n,
                   double mu) {
  std::array<std::array<double, max_subset + 1>, max_subset> a{};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::size_t k = 0; k < 3; ++k)
        sum += jacobian[i][k] * jacobian[j][k];
      a[i][j] = sum;
    }
    double g = 0;
    for (std::size_t k = 0; k < 3; ++k)
      g += jacobian[i][k] * r[k];
    a[i][n] = -g;
  }
  for (std::size_t i = 0; i < n; ++i)
    a[i][i] += mu * (a[i][i] + 1e-6);
  // Gaussian elimination; the damped matrix is symmetric positive definite.
  for (std::size_t col = 0; col < n; ++col) {
    for (std::size_t row = col + 1; row < n; ++row) {
      const double f = a[row][col] / a[col][col];
      for (std::size_t c = col; c <= n; ++c)
        a[row][c] -= f * a[col][c];
    }
  }
  Values step{};
  for (std::size_t row = n; row-- > 0;) {
    double sum = a[row][n];
    for (std::size_t c = row + 1; c < n; ++c)
      sum -= a[row][c] * step[c];
    step[row] = sum / a[row][row];
  }
  return step;
}

// Subsets of k of n pigments numbered 0 … C(n, k) − 1 in colex order (the combinatorial number
// system: rank = Σ C(pᵢ, i + 1) over the sorted pigments), so that a level's screen is a table.
class Combinations {
 public:
  explicit Combinations(std::size_t n) : n_(n), binomial_((n + 1) * (max_subset + 1), 0) {
    for (std::size_t m = 0; m <= n; ++m) {
      at(m, 0) = 1;
      for (std::size_t k = 1; k <= max_subset && m > 0; ++k)
        at(m, k) = at(m - 1, k - 1) + at(m - 1, k);
    }
  }
  std::size_t count(std::size_t k) const { return get(n_, k); }
  std::size_t rank(const Subset& s) const {
    std::size_t r = 0;
    for (std::size_t i = 0; i < s.size; ++i)
      r += get(s.pigments[i], i + 1);
    return r;
  }
  Subset unrank(std::size_t rank, std::size_t k) const {
    Subset s;
    s.size = k;
    std::size_t m = n_;
    for (std::size_t i = k; i-- > 0;) {
      do {
        --m;
      } while (get(m, i + 1) > rank);
      s.pigments[i] = m;
      rank -= get(m, i + 1);
    }
    return s;
  }

 private:
  std::size_t get(std::size_t m, std::size_t k) const {
    return binomial_[m * (max_subset + 1) + k];
  }
  std::size_t& at(std::size_t m, std::size_t k) { return binomial_[m * (max_subset + 1) + k]; }
  std::size_t n_;
  std::vector<std::size_t> binomial_;
};

// `s` with `pigment` inserted in order; `position` receives where.
Subset with_pigment(const Subset& s, std::size_t pigment, std::size_t& position) {
  Subset out;
  out.size = s.size + 1;
  position = 0;
  while (position < s.size && s.pigments[position] < pigment)
    ++position;
  for (std::size_t i = 0, j = 0; i < out.size; ++i)
    out.pigments[i] = i == position ? pigment : s.pigments[j++];
  return out;
}

// x of a parent's estimate (added pigment last) in the subset's order (added one at `position`).
Values in_subset_order(const Values& x, std::size_t parent_size, std::size_t position) {
  Values out{};
  for (std::size_t i = 0, j = 0; i <= parent_size; ++i)
    out[i] = i == position ? x[parent_size] : x[j++];
  return out;
}

}  // namespace

void Search::run() {
  if (request_.exhaustive)
    run_exhaustive();
  else
    run_screened();
}

double Search::planned_work() const {
  const std::size_t levels = std::min(request_.max_pigments, pigments_);
  double units = 0, subsets = 1;  // subsets: C(pigments, level)
  for (std::size_t level = 1; level <= levels; ++level) {
    const double parents = subsets;
    subsets = subsets * static_cast<double>(pigments_ - level + 1) / static_cast<double>(level);
    if (request_.exhaustive || level == 1)
      units += subsets;
    else if (level < levels)
      units += parents + subsets;
    else
      units += parents + std::min(subsets, static_cast<double>(screen_minimum));
  }
  return units;
}

void Search::run_exhaustive() {
  std::unordered_map<std::uint64_t, Solution> previous, current;
  const std::size_t levels = std::min(request_.max_pigments, pigments_);
  for (std::size_t level = 1; level <= levels; ++level) {
    const bool store = level < levels;
    Subset s;
    s.size = level;
    for (std::size_t i = 0; i < level; ++i)
      s.pigments[i] = i;
    while (true) {
      Solution solution = level == 1 ? optimise_single(s) : screen_and_optimise(s, previous);
      ++searched_;
      progress_.advance();
      if (solution.exact)
        consider(s, solution);
      if (store)
        current.emplace(key_of(s), solution);
      if (!next_combination(s))
        break;
    }
    previous = std::move(current);
    current.clear();
  }
}

void Search::run_screened() {
  const Combinations combinations(pigments_);
  const std::size_t levels = std::min(request_.max_pigments, pigments_);
  // Per subset of the previous level, by rank: its solution and that solution's error.
  std::vector<Values> previous(pigments_), current;
  std::vector<double> previous_error(pigments_), current_error;
  for (std::size_t p = 0; p < pigments_; ++p) {
    Subset s;
    s.size = 1;
    s.pigments[0] = p;
    const Solution solution = optimise_single(s);
    ++searched_;
    consider(s, solution);
    progress_.advance();
    previous[p] = solution.x;
    previous_error[p] = solution.error;
  }
  Linearisation at;
  std::vector<double> columns;
  for (std::size_t level = 2; level <= levels; ++level) {
    const bool top = level == levels;
    const std::size_t count = combinations.count(level);
    // Per subset: the best screen over its parents, where the added pigment sits, and the
    // screen's step from that parent (float: only a start).
    std::vector<float> score(count, std::numeric_limits<float>::infinity());
    std::vector<std::uint8_t> added(count, 0);
    std::vector<std::array<float, max_subset>> estimated(count);
    for (std::size_t rank = 0; rank < combinations.count(level - 1); ++rank) {
      scorer_.linearise(combinations.unrank(rank, level - 1), previous[rank], at);
      prepare_screen(at);
      scorer_.new_columns(at, columns, floor_);
      const std::size_t stride = columns.size() / 3;
      for (std::size_t pigment = 0; pigment < pigments_; ++pigment) {
        if (std::find(at.subset.pigments.begin(), at.subset.pigments.begin() + level - 1,
                      pigment) != at.subset.pigments.begin() + level - 1)
          continue;
        const Estimate e = estimate(
            at, {columns[pigment], columns[stride + pigment], columns[2 * stride + pigment]});
        std::size_t position = 0;
        const std::size_t r = combinations.rank(with_pigment(at.subset, pigment, position));
        if (e.error < static_cast<double>(score[r])) {
          score[r] = static_cast<float>(e.error);
          added[r] = static_cast<std::uint8_t>(position);
          for (std::size_t i = 0; i < level; ++i)
            estimated[r][i] = static_cast<float>(e.step[i]);
        }
      }
      progress_.advance();
    }
    searched_ += count;

    std::vector<std::pair<float, std::uint32_t>> order;
    for (std::size_t r = 0; r < count; ++r) {
      order.emplace_back(score[r], static_cast<std::uint32_t>(r));
    }
    if (top && order.size() > screen_minimum) {
      // The best screen_minimum, then only those within the margin now (it only tightens).
      const auto minimum = order.begin() + static_cast<std::ptrdiff_t>(screen_minimum);
      std::nth_element(order.begin(), minimum, order.end());
      order.erase(std::partition(minimum, order.end(),
                                 [&](const auto& e) {
                                   return static_cast<double>(e.first) + parsimony(level) <=
                                          cutoff();
                                 }),
                  order.end());
    }
    std::sort(order.begin(), order.end());
    std::size_t rank_in_order = 0;
    current.assign(top ? 0 : count, Values{});
    current_error.assign(top ? 0 : count, 0.0);
    for (const auto& [screened, r] : order) {
      if (top && rank_in_order++ >= screen_minimum &&
          static_cast<double>(screened) + parsimony(level) > cutoff())
        break;
      const Subset s = combinations.unrank(r, level);
      if (top && !contains_required(s))
        continue;
      // The start: the screen's estimate, or the parent's own solution with one drop of the
      // added pigment when the parent is closer (the linearisation can overshoot).
      const std::size_t position = added[r];
      Subset parent;
      parent.size = level - 1;
      for (std::size_t i = 0, j = 0; i < level; ++i) {
        if (i != position)
          parent.pigments[j++] = s.pigments[i];
      }
      const std::size_t parent_rank = combinations.rank(parent);
      Values step{};
      for (std::size_t i = 0; i < level; ++i)
        step[i] = estimated[r][i];
      Solution start =
          evaluate_differentiated(s, estimated_x(previous[parent_rank], level - 1, step, position));
      if (previous_error[parent_rank] < start.error) {
        Values plain = previous[parent_rank];
        plain[level - 1] = floor_;
        plain = in_subset_order(plain, level - 1, position);
        project(plain, level, scorer_.has_diluent(), floor_);
        Solution alternative = evaluate_differentiated(s, plain);
        if (alternative.error < start.error)
          start = alternative;
      }
      const Solution solution = levenberg_marquardt(s, start, give_up());
      consider(s, solution);
      progress_.advance();
      if (!top) {
        current[r] = solution.x;
        current_error[r] = solution.error;
      }
    }
    previous = std::move(current);
    previous_error = std::move(current_error);
  }
}

double Search::give_up() const {
  if (kept_.size() < keep_)
    return std::numeric_limits<double>::infinity();
  return 1.5 * kept_.back().error + 0.3;
}

double Search::cutoff() const {
  if (kept_.size() < keep_)
    return std::numeric_limits<double>::infinity();
  return kept_.back().error + screen_margin;
}

Estimate Search::estimate(const Linearisation& at, const Vec3& column) const {
  const std::size_t n = at.subset.size;
  std::array<Vec3, max_subset> a = at.jacobian;
  a[n] = column;
  const Vec3& j = a[n];
  Values q{}, w{};  // Jᵀj and (JᵀJ + μD)⁻¹Jᵀj
  for (std::size_t i = 0; i < n; ++i)
    q[i] = dot(at.jacobian[i], j);
  double qu = 0, qw = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t m = 0; m < n; ++m)
      w[i] += at.inverse[i][m] * q[m];
    qu += q[i] * at.own_step[i];
    qw += q[i] * w[i];
  }
  const double jj = dot(j, j);
  const double complement = jj + screen_damping * (jj + 1e-6) - qw;
  double delta = (-dot(j, at.r) - qu) / complement;
  if (!(delta >= floor_))
    delta = floor_;
  Values step{};
  for (std::size_t i = 0; i < n; ++i)
    step[i] = at.own_step[i] - w[i] * delta;
  step[n] = std::min(delta, scorer_.has_diluent() ? 1.0 : 0.9);
  for (std::size_t i = 0; i < n; ++i)
    step[i] = std::clamp(step[i], -screen_trust, screen_trust);
  Estimate out;
  Vec3 r = at.r;
  for (std::size_t i = 0; i <= n; ++i) {
    for (std::size_t k = 0; k < 3; ++k)
      r[k] += a[i][k] * step[i];
  }
  out.error = norm(r);
  out.step = step;
  return out;
}

Values Search::estimated_x(const Values& x, std::size_t n, const Values& step,
                           std::size_t position) const {
  Values out{};
  double weight = 0;
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = x[i] * std::exp(step[i]);
    weight += x[i];
  }
  out[n] = scorer_.has_diluent() ? step[n] : step[n] * weight / (1 - step[n]);
  project(out, n + 1, scorer_.has_diluent(), floor_);
  return in_subset_order(out, n, position);
}

void Search::prepare_screen(Linearisation& at) {
  const std::size_t n = at.subset.size;
  std::array<std::array<double, 2 * max_subset>, max_subset> a{};
  Values g{};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t m = 0; m < n; ++m)
      a[i][m] = dot(at.jacobian[i], at.jacobian[m]);
    a[i][i] += screen_damping * (a[i][i] + 1e-6);
    a[i][n + i] = 1;
    g[i] = dot(at.jacobian[i], at.r);
  }
  for (std::size_t col = 0; col < n; ++col) {
    const double pivot = a[col][col];
    for (std::size_t c = 0; c < 2 * n; ++c)
      a[col][c] /= pivot;
    for (std::size_t row = 0; row < n; ++row) {
      if (row == col)
        continue;
      const double f = a[row][col];
      for (std::size_t c = 0; c < 2 * n; ++c)
        a[row][c] -= f * a[col][c];
    }
  }
  at.own_step = {};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t m = 0; m < n; ++m) {
      at.inverse[i][m] = a[i][n + m];
      at.own_step[i] -= a[i][n + m] * g[m];
    }
  }
}

bool Search::next_combination(Subset& s) const {
  const std::size_t k = s.size;
  for (std::size_t i = k; i-- > 0;) {
    if (s.pigments[i] < pigments_ - k + i) {
      ++s.pigments[i];
      for (std::size_t j = i + 1; j < k; ++j)
        s.pigments[j] = s.pigments[j - 1] + 1;
      return true;
    }
  }
  return false;
}

std::array<Vec3, max_subset> Search::jacobian(const Subset& s, const Values& x,
                                              const Vec3& r) const {
  std::array<Vec3, max_subset> j{};
  Vec3 exact{};
  if (scorer_.residual_and_jacobian(s, x, exact, j)) {
    return j;
  }
  for (std::size_t i = 0; i < s.size; ++i)
    j[i] = column(s, x, r, i);
  return j;
}

Vec3 Search::column(const Subset& s, const Values& x, const Vec3& r, std::size_t i) const {
  std::array<Vec3, max_subset> j{};
  Vec3 exact{};
  if (scorer_.residual_and_jacobian(s, x, exact, j))
    return j[i];
  constexpr double h = 1e-6;
  Values moved = x;
  moved[i] *= std::exp(h);
  const Vec3 rh = scorer_.residual(s, moved);
  return {(rh[0] - r[0]) / h, (rh[1] - r[1]) / h, (rh[2] - r[2]) / h};
}

Values Search::apply(const Values& x, const Values& step, std::size_t n) const {
  Values out = x;
  for (std::size_t i = 0; i < n; ++i)
    out[i] = x[i] * std::exp(std::clamp(step[i], -8.0, 8.0));
  project(out, n, scorer_.has_diluent(), floor_);
  return out;
}

Solution Search::evaluate(const Subset& s, const Values& x) const {
  Solution out;
  out.x = x;
  out.r = scorer_.residual(s, x);
  out.error = norm(out.r);
  out.exact = true;
  return out;
}

Solution Search::evaluate_differentiated(const Subset& s, const Values& x) const {
  Solution out;
  out.x = x;
  if (!scorer_.residual_and_jacobian(s, x, out.r, out.jacobian))
    return evaluate(s, x);
  out.error = norm(out.r);
  out.exact = true;
  out.differentiated = true;
  return out;
}

Solution Search::levenberg_marquardt(const Subset& s, Solution current, double give_up) {
  ++optimised_;
  const bool dilutable = scorer_.has_diluent();
  if (!current.differentiated)
    current.jacobian = jacobian(s, current.x, current.r);
  current.differentiated = true;
  if (!dilutable && s.size == 1)
    return current;
  double mu = 1e-3;
  int stalls = 0, accepted = 0;
  // Stops once steps gain less than 0.1 % (plus 1e-5): ΔE00 to a few thousandths is all the
  // ranking needs, and drops round far coarser; crawling along a bound costs most iterations.
  for (int iteration = 0; iteration < 60 && current.error > 1e-5; ++iteration) {
    const Values step = damped_step(current.jacobian, current.r, s.size, mu);
    Solution trial = evaluate_differentiated(s, apply(current.x, step, s.size));
    if (trial.error < current.error) {
      stalls = current.error - trial.error < 1e-5 + 1e-3 * current.error ? stalls + 1 : 0;
      if (!trial.differentiated)
        trial.jacobian = jacobian(s, trial.x, trial.r);
      trial.differentiated = true;
      current = trial;
      ++accepted;
      mu = std::max(mu / 3, 1e-9);
      if (stalls >= 2 || (accepted >= 3 && current.error > give_up))
        break;
    } else {
      mu *= 4;
      if (mu > 1e6)
        break;
    }
  }
  return current;
}

Solution Search::optimise_single(const Subset& s) {
  // Concentration of one pigment: a coarse scan finds the basin along the dilution line.
  Solution best;
  for (const double c : {0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0}) {
    Solution trial = evaluate(s, {c});
    if (trial.error < best.error)
      best = trial;
    if (!scorer_.has_diluent())
      break;
  }
  return levenberg_marquardt(s, best);
}

Solution Search::screen_and_optimise(const Subset& s,
                                     const std::unordered_map<std::uint64_t, Solution>& parents) {
  std::array<Solution, max_subset> starts{};
  std::array<Solution, max_subset> screened{};
  std::size_t count = 0;
  for (std::size_t missing = 0; missing < s.size; ++missing) {
    Subset p;
    p.size = s.size - 1;
    for (std::size_t i = 0, j = 0; i < s.size; ++i) {
      if (i != missing)
        p.pigments[j++] = s.pigments[i];
    }
    const auto it = parents.find(key_of(p));
    if (it == parents.end())
      continue;
    const Solution& parent = it->second;
    Solution start;
    start.x[missing] = floor_;
    for (std::size_t i = 0, j = 0; i < s.size; ++i) {
      if (i != missing) {
        start.x[i] = parent.x[j];
        start.jacobian[i] = parent.jacobian[j];
        ++j;
      }
    }
    project(start.x, s.size, scorer_.has_diluent(), floor_);
    std::array<Vec3, max_subset> exact{};
    if (scorer_.residual_and_jacobian(s, start.x, start.r, exact)) {
      start.jacobian = exact;  // at this subset's start, not the parent's solution
    } else {
      start.r = scorer_.residual(s, start.x);
      start.jacobian[missing] = column(s, start.x, start.r, missing);
    }
    start.error = norm(start.r);
    start.exact = true;
    const Values step = damped_step(start.jacobian, start.r, s.size, 1e-4);
    Solution estimate = start;
    estimate.x = apply(start.x, step, s.size);
    for (std::size_t i = 0; i < s.size; ++i) {
      const double du = std::log(estimate.x[i] / start.x[i]);
      for (std::size_t k = 0; k < 3; ++k)
        estimate.r[k] += start.jacobian[i][k] * du;
    }
    estimate.error = norm(estimate.r);
    estimate.exact = false;
    starts[count] = start;
    screened[count] = estimate;
    ++count;
  }
  // Parents by screened error (insertion sort: at most four, and GCC 12 warns falsely about
  // std::sort's bounds on so small an array).
  std::array<std::size_t, max_subset> order{0, 1, 2, 3};
  for (std::size_t i = 1; i < count; ++i) {
    for (std::size_t j = i; j > 0 && screened[order[j]].error < screened[order[j - 1]].error; --j)
      std::swap(order[j], order[j - 1]);
  }
  if (screened[order[0]].error > threshold())
    return screened[order[0]];

  // A further start is optimised only when it already begins below the best solution so far:
  // LM descends monotonically, so a start above it rarely ends in a better basin, and these
  // skipped runs were most of the search's time.
  Solution best;
  const auto improve = [&](Solution from) {
    if (from.error >= best.error)
      return;
    Solution result = levenberg_marquardt(s, from);
    if (result.error < best.error)
      best = result;
  };
  for (std::size_t n = 0; n < count && best.error > converged; ++n) {
    const Solution& estimate = screened[order[n]];
    const Solution stepped = evaluate(s, estimate.x);
    improve(stepped.error < starts[order[n]].error ? stepped : starts[order[n]]);
  }
  if (best.error > converged)
    refine_from_grid(s, best);
  return best;
}

void Search::refine_from_grid(const Subset& s, Solution& best) {
  constexpr std::array<double, 3> levels{0.005, 0.05, 0.4};
  std::size_t combinations = 1;
  for (std::size_t i = 0; i < s.size; ++i)
    combinations *= levels.size();
  Solution first, second;
  for (std::size_t code = 0; code < combinations; ++code) {
    Values x{};
    for (std::size_t i = 0, c = code; i < s.size; ++i, c /= levels.size())
      x[i] = levels[c % levels.size()];
    project(x, s.size, scorer_.has_diluent(), floor_);
    Solution trial = evaluate(s, x);
    if (trial.error < first.error) {
      second = first;
      first = trial;
    } else if (trial.error < second.error) {
      second = trial;
    }
  }
  for (Solution* from : {&first, &second}) {
    if (best.error <= converged || !(from->error < best.error))
      break;
    Solution result = levenberg_marquardt(s, *from);
    if (result.error < best.error)
      best = result;
  }
}

double Search::threshold() const {
  if (request_.exhaustive || kept_.size() < keep_)
    return std::numeric_limits<double>::infinity();
  return kept_.back().error * 2.0 + 3.0;
}

double Search::parsimony(std::size_t pigments) const {
  return request_.parsimony_weight * static_cast<double>(pigments - 1);
}

bool Search::contains_required(const Subset& s) const {
  for (const std::size_t r : required_) {
    if (std::find(s.pigments.begin(), s.pigments.begin() + static_cast<std::ptrdiff_t>(s.size),
                  r) == s.pigments.begin() + static_cast<std::ptrdiff_t>(s.size))
      return false;
  }
  return true;
}

void Search::consider(const Subset& s, const Solution& solution) {
  if (!contains_required(s))
    return;
  Values rounded = solution.x;
  for (std::size_t i = 0; i < s.size; ++i) {
    const double drop = drop_fraction_[s.pigments[i]];
    rounded[i] = std::max(1.0, std::round(solution.x[i] / drop)) * drop;
  }
  project(rounded, s.size, scorer_.has_diluent(), 0.0);
  const double key =
      std::max(solution.error, norm(scorer_.residual(s, rounded))) + parsimony(s.size);
  if (kept_.size() == keep_ && key >= kept_.back().error)
    return;
  const Candidate candidate{s, solution.x, key};
  const auto at = std::upper_bound(kept_.begin(), kept_.end(), candidate,
                                   [](const auto& a, const auto& b) { return a.error < b.error; });
  kept_.insert(at, candidate);
  if (kept_.size() > keep_)
    kept_.pop_back();
}

}  // namespace pigmatch::formulation
