// The formulator: subset search with a screened, projected Levenberg–Marquardt optimiser per
// subset, quantisation to drops and re-scoring (see formulate.h and docs/models.md).
#include "pigmatch/formulate.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_map>

#include "pigmatch/error.h"
#include "small_matrix.h"

namespace pigmatch {

std::string_view to_string(FormulationMode mode) noexcept {
  switch (mode) {
    case FormulationMode::follicle:
      return "follicle";
    case FormulationMode::camouflage:
      return "camouflage";
    case FormulationMode::custom:
      return "custom";
  }
  return "?";
}

FormulationMode parse_formulation_mode(std::string_view name) {
  for (const auto m :
       {FormulationMode::follicle, FormulationMode::camouflage, FormulationMode::custom}) {
    if (to_string(m) == name)
      return m;
  }
  throw Error(ErrorCode::invalid_argument,
              fmt::format("unknown mode '{}': use follicle (hair on skin), camouflage (skin "
                          "around a scar) or custom (any Lab)",
                          name));
}

// ---- pigment selection ------------------------------------------------------------------------

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool allowed(std::string_view value, const std::vector<std::string>& list) {
  return list.empty() ||
         std::any_of(list.begin(), list.end(), [&](const auto& v) { return iequals(v, value); });
}

}  // namespace

std::vector<Pigment> PigmentPool::pigments() const {
  std::vector<Pigment> out;
  out.reserve(entries.size());
  for (const auto& e : entries)
    out.push_back(e.pigment);
  return out;
}

std::string_view default_use(FormulationMode mode) noexcept {
  switch (mode) {
    case FormulationMode::follicle:
      return "smp";
    case FormulationMode::camouflage:
      return "camouflage";
    case FormulationMode::custom:
      return {};
  }
  return {};
}

PigmentPool select_pigments(std::span<const Catalog> catalogs, const PigmentFilter& filter) {
  PigmentPool pool;
  std::optional<PoolPigment> diluent;
  for (const Catalog& catalog : catalogs) {
    for (const Pigment& p : catalog.pigments) {
      if (!meant_for(p, filter.use))
        continue;
      if (p.is_diluent) {
        if (!diluent)
          diluent = PoolPigment{catalog.id, p};
        continue;
      }
      if (!allowed(catalog.vendor, filter.vendors) || !allowed(p.line, filter.lines))
        continue;
      if (filter.compliant_only && p.compliance.empty())
        continue;
      pool.entries.push_back({catalog.id, p});
    }
  }
  if (pool.entries.empty()) {
    throw Error(ErrorCode::not_found,
                filter.use.empty()
                    ? "no pigment passes the filters (vendors, lines, compliant-only): loosen "
                      "them or load another catalog"
                    : fmt::format("no pigment meant for {} passes the filters (use, vendors, "
                                  "lines, compliant-only): load a catalog whose pigments are "
                                  "meant for it, loosen the filters, or allow every pigment "
                                  "(--use any)",
                                  filter.use));
  }
  for (const std::string& code : filter.required) {
    if (std::none_of(pool.entries.begin(), pool.entries.end(),
                     [&](const auto& e) { return iequals(e.pigment.code, code); })) {
      throw Error(ErrorCode::not_found,
                  fmt::format("required pigment '{}' is in none of the allowed pigments", code));
    }
  }
  if (diluent) {
    pool.entries.push_back(std::move(*diluent));
    pool.has_diluent = true;
  }
  return pool;
}

// ---- the search -------------------------------------------------------------------------------

namespace {

constexpr std::size_t max_subset = 4;
// A continuous solution this close (ΔE-like units) is a match: no further starts are tried.
constexpr double converged = 1e-3;
using Vec3 = std::array<double, 3>;
using Values = std::array<double, max_subset>;

double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

double norm(const Vec3& r) {
  return std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
}

struct Subset {
  std::array<std::size_t, max_subset> pigments{};
  std::size_t size = 0;
};

// A subset's solution: concentrations x of its pigments (the diluent takes the rest), the
// residual there and its Jacobian (columns per pigment). `exact`: r was computed, not
// extrapolated by the screen.
struct Solution {
  Values x{};
  Vec3 r{};
  std::array<Vec3, max_subset> jacobian{};
  double error = std::numeric_limits<double>::infinity();
  bool exact = false;
  bool differentiated = false;  // jacobian is at x
};

struct Candidate {
  Subset subset;
  Values x{};
  double error = 0;
};

std::uint64_t key_of(const Subset& s) {
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < s.size; ++i)
    key = key << 16 | (s.pigments[i] + 1);
  return key;
}

// Per band: the mix's K and S and the measured reflectance's derivatives by them.
struct BandSlopes {
  Spectrum::Values dk{}, ds{}, k{}, s{};
};

// A two-constant KM film over a substrate evaluated inline, with the analytic derivatives of its
// XYZ by concentration: the formulator's inner loop. Per band, K and S add up by concentration,
// Kubelka's layer (the same expression as km_layer_reflectance) and Saunderson give the
// measured reflectance, and the illuminant's weights sum it into XYZ; the chain rule through
// these replaces one finite-difference evaluation per pigment.
class FilmModel {
 public:
  FilmModel(const KmFilm& film, const WeightTable& weights) : film_(film), weights_(weights) {}

  // XYZ of the film with concentrations c[j] of pigments idx[j]; with `gradient`, also
  // ∂XYZ/∂c[j] for j < n; with `slopes`, the measured reflectance's derivatives by the mix's K
  // and S per band (what any further pigment's effect is computed from). Always inlined: GCC
  // otherwise stops inlining it into its three call shapes as this file grows, and the
  // specialised copies are 13 % fewer instructions per search (callgrind). Written as passes over
  // the bands with no calls or branches inside (but the one for exp), which the compiler
  // vectorises.
  [[gnu::always_inline]] Vec3 xyz(const std::size_t* idx, const double* c, std::size_t n,
                                  std::array<Vec3, max_subset>* gradient,
                                  BandSlopes* slopes = nullptr) const {
    constexpr std::size_t bands = Spectrum::band_count;
    const double k1 = film_.saunderson.k1, k2 = film_.saunderson.k2;
    const double gain = (1 - k1) * (1 - k2);
    BandSlopes local;
    BandSlopes& b = slopes != nullptr ? *slopes : local;
    b.k = {};
    b.s = {};
    for (std::size_t j = 0; j < n; ++j) {
      const Colorant& colorant = film_.colorants[idx[j]];
      for (std::size_t band = 0; band < bands; ++band) {
        b.k[band] += c[j] * colorant.k[band];
        b.s[band] += c[j] * colorant.s[band];
      }
    }
    Spectrum::Values beta{}, decay{}, measured{};
    for (std::size_t band = 0; band < bands; ++band)
      beta[band] = std::sqrt(b.k[band] * b.k[band] + 2 * b.k[band] * b.s[band]);
    // coth β from one exp (glibc's exp is several times faster than expm1 or tanh); below
    // β = 1e-3 a series replaces it, whose error (β⁴/45) is below 1e-13 there.
    for (std::size_t band = 0; band < bands; ++band)
      decay[band] = std::exp(-2 * std::max(beta[band], 1e-3));
    Spectrum::Values internal{}, den{}, h{};
    for (std::size_t band = 0; band < bands; ++band) {
      const double k = b.k[band], s = b.s[band], be = beta[band], rg = film_.background[band];
      // g = β·coth β; h = (dg/dβ)/β, so that ∂g/∂K = h·(K + S), ∂g/∂S = h·K. Both forms are
      // computed (the exact one at β ≥ 1e-3, where it is finite) and blended by a 0/1 weight:
      // no branch, so the loop vectorises.
      const double small = be < 1e-3 ? 1.0 : 0.0, bc = std::max(be, 1e-3);
      const double coth = (1 + decay[band]) / (1 - decay[band]);
      const double series_g = 1 + be * be * (1.0 / 3.0), exact_g = bc * coth;
      const double series_h = 2.0 / 3.0 - 2.0 / 15.0 * be * be;
      const double exact_h = (coth - bc * (coth * coth - 1)) / bc;
      const double g = exact_g + small * (series_g - exact_g);
      h[band] = exact_h + small * (series_h - exact_h);
      den[band] = s + k - rg * s + g;
      internal[band] = (s - rg * (s + k - g)) / den[band];
      measured[band] = k1 + gain * internal[band] / (1 - k2 * internal[band]);
    }
    if (gradient != nullptr || slopes != nullptr) {
      for (std::size_t band = 0; band < bands; ++band) {
        const double k = b.k[band], s = b.s[band], rg = film_.background[band];
        const double r = internal[band], denom = 1 - k2 * r;
        const double gk = h[band] * (k + s), gs = h[band] * k;
        const double dnum_dk = -rg * (1 - gk), dnum_ds = 1 - rg * (1 - gs);
        const double dden_dk = 1 + gk, dden_ds = 1 - rg + gs;
        const double dmeasured = gain / (denom * denom * den[band]);  // ∂measured/∂internal / den
        b.dk[band] = (dnum_dk - r * dden_dk) * dmeasured;
        b.ds[band] = (dnum_ds - r * dden_ds) * dmeasured;
      }
    }
    Vec3 out{};
    for (std::size_t band = 0; band < bands; ++band) {
      out[0] += weights_.x[band] * measured[band];
      out[1] += weights_.y[band] * measured[band];
      out[2] += weights_.z[band] * measured[band];
    }
    for (std::size_t j = 0; gradient != nullptr && j < n; ++j) {
      const Colorant& colorant = film_.colorants[idx[j]];
      Vec3 sum{};
      for (std::size_t band = 0; band < bands; ++band) {
        const double d = b.dk[band] * colorant.k[band] + b.ds[band] * colorant.s[band];
        sum[0] += weights_.x[band] * d;
        sum[1] += weights_.y[band] * d;
        sum[2] += weights_.z[band] * d;
      }
      (*gradient)[j] = sum;
    }
    return out;
  }

  const KmFilm& film() const { return film_; }

 private:
  const KmFilm& film_;
  const WeightTable& weights_;
};

// CIELAB's f(t) and its derivative (CIE 15:2004 exact rationals, as in color.cpp).
double lab_f(double t) {
  return t > 216.0 / 24389.0 ? std::cbrt(t) : (24389.0 / 27.0 * t + 16.0) / 116.0;
}
double lab_f_slope(double t, double f) {
  return t > 216.0 / 24389.0 ? f / (3 * t) : 24389.0 / 27.0 / 116.0;
}

// A subset's residual at x and how it changes: ∂r/∂ln(xᵢ) for its own pigments and, for the KM
// film, ∂r/∂K and ∂r/∂S per band, so that the column of any further pigment is two 36-term dot
// products per residual component instead of an evaluation of the model.
struct Linearisation {
  Subset subset;
  Values x{};
  Vec3 r{};
  std::array<Vec3, max_subset> jacobian{};
  double weight = 1;  // Σx: without a diluent, x of a pigment at concentration δ is δ·Σx/(1−δ)
  bool film = false;
  std::array<Spectrum::Values, 3> gk{}, gs{};  // ∂rₖ/∂K, ∂rₖ/∂S per band
  Vec3 own{};  // without a diluent: ∂r/∂δ of the subset's own mix, which δ displaces
  // The screen's share of the damped normal equations: (JᵀJ + μ·(diag + ε))⁻¹ and the step it
  // gives for the subset's own pigments (Search::prepare_screen).
  std::array<Values, max_subset> inverse{};
  Values own_step{};
};

// Everything about the target and the model that scoring needs.
class Scorer {
 public:
  Scorer(const FormulationRequest& request, const PigmentPool& pool, const Mixer& mixer)
      : request_(request),
        pool_(pool),
        mixer_(mixer),
        weights_(weighting_table(request.illuminant, Observer::cie1931_2deg)),
        white_(white_point(request.illuminant)),
        target_(adapt(request.target_lab_d50)) {
    if (const KmFilm* film = mixer.km_film()) {
      film_.emplace(*film, weights_);
      // K and S band-major (band, then pigment): new_columns() runs along the pigments.
      const std::size_t count = film->colorants.size();
      k_by_band_.resize(Spectrum::band_count * count);
      s_by_band_.resize(Spectrum::band_count * count);
      for (std::size_t band = 0; band < Spectrum::band_count; ++band) {
        for (std::size_t c = 0; c < count; ++c) {
          k_by_band_[band * count + c] = film->colorants[c].k[band];
          s_by_band_[band * count + c] = film->colorants[c].s[band];
        }
      }
    }
    if (request.target_reflectance)
      target_ = to_lab(to_xyz(*request.target_reflectance, weights_), white_);
    // CIEDE2000-like weights at the target (CIE94 form: S_L = 1, S_C = 1 + 0.045·C,
    // S_H = 1 + 0.015·C) so that the optimiser's ‖r‖ tracks ΔE00.
    const double chroma = std::hypot(target_.a, target_.b);
    cos_ = chroma > 1e-6 ? target_.a / chroma : 1.0;
    sin_ = chroma > 1e-6 ? target_.b / chroma : 0.0;
    inv_sc_ = 1 / ((1 + 0.045 * chroma) * request.judged_by.kC);
    inv_sh_ = 1 / ((1 + 0.015 * chroma) * request.judged_by.kH);
    inv_kl_ = 1 / request.judged_by.kL;
  }

  const Lab& target() const { return target_; }
  std::size_t diluent() const { return pool_.entries.size() - 1; }
  bool has_diluent() const { return pool_.has_diluent; }

  // The mix of a subset at x, as (indices, concentrations); false when x is not a mix.
  bool concentrations(const Subset& s, const Values& x, std::array<std::size_t, 5>& idx,
                      std::array<double, 5>& conc, std::size_t& count) const {
    count = s.size;
    double sum = 0;
    for (std::size_t i = 0; i < s.size; ++i) {
      idx[i] = s.pigments[i];
      conc[i] = x[i];
      sum += x[i];
    }
    if (has_diluent()) {
      idx[count] = diluent();
      conc[count] = 1 - sum;
      ++count;
    } else {
      if (sum <= 0)
        return false;
      for (std::size_t i = 0; i < s.size; ++i)
        conc[i] /= sum;
    }
    return true;
  }

  MixColour mix(const Subset& s, const Values& x) const {
    std::array<std::size_t, 5> idx{};
    std::array<double, 5> conc{};
    std::size_t count = 0;
    concentrations(s, x, idx, conc, count);
    return mixer_.mix({{idx.data(), count}, {conc.data(), count}});
  }

  Lab lab_under_illuminant(const MixColour& colour) const {
    if (colour.reflectance)
      return to_lab(to_xyz(*colour.reflectance, weights_), white_);
    return adapt(colour.lab_d50);
  }

  Vec3 residual(const Lab& lab) const {
    const double da = lab.a - target_.a, db = lab.b - target_.b;
    return {(lab.L - target_.L) * inv_kl_, (da * cos_ + db * sin_) * inv_sc_,
            (db * cos_ - da * sin_) * inv_sh_};
  }

  Vec3 residual(const Subset& s, const Values& x) const {
    if (film_)
      return film_residual(s, x, nullptr);
    return residual(lab_under_illuminant(mix(s, x)));
  }

  // The residual at x and, into `jacobian`, ∂r/∂ln(xᵢ); false when the model has no analytic
  // derivatives (the caller differentiates numerically).
  bool residual_and_jacobian(const Subset& s, const Values& x, Vec3& r,
                             std::array<Vec3, max_subset>& jacobian) const {
    if (!film_)
      return false;
    r = film_residual(s, x, &jacobian);
    return true;
  }

  // ΔE00 to the target, as reported.
  double de00(const MixColour& colour) const {
    return delta_e2000(target_, lab_under_illuminant(colour));
  }
  // The difference recipes are ranked by: ΔE00 with the request's parametric factors.
  double judged(const MixColour& colour) const {
    return delta_e2000(target_, lab_under_illuminant(colour), request_.judged_by);
  }

  // `at` for subset s at x: the residual and its Jacobian, and for the film the per-band
  // sensitivities (one evaluation with derivatives); for other models the Jacobian by finite
  // differences.
  void linearise(const Subset& s, const Values& x, Linearisation& at) const {
    at.subset = s;
    at.x = x;
    at.weight = 0;
    for (std::size_t i = 0; i < s.size; ++i)
      at.weight += x[i];
    at.film = film_.has_value();
    if (at.film) {
      at.r = film_residual(s, x, &at.jacobian, &at);
      return;
    }
    at.r = residual(s, x);
    constexpr double h = 1e-6;
    for (std::size_t i = 0; i < s.size; ++i) {
      Values moved = x;
      moved[i] *= std::exp(h);
      const Vec3 rh = residual(s, moved);
      at.jacobian[i] = {(rh[0] - at.r[0]) / h, (rh[1] - at.r[1]) / h, (rh[2] - at.r[2]) / h};
    }
  }

  // ∂r/∂δ at δ = 0 for each pigment p added to `at`'s subset at concentration δ (taken from
  // the diluent, or from the other pigments in proportion when there is none), into
  // columns[k·P + p] (component k, P pool entries). The film's come from the per-band
  // sensitivities in a loop along the pigments, which the compiler vectorises (a dot product
  // per pigment would be a sequential reduction); other models' are secants over δ = h.
  void new_columns(const Linearisation& at, std::vector<double>& columns, double h) const {
    const std::size_t count =
        at.film ? k_by_band_.size() / Spectrum::band_count : pool_.entries.size();
    columns.assign(3 * count, 0.0);
    if (!at.film) {
      const auto in_subset = [&](std::size_t p) {
        return std::find(at.subset.pigments.begin(), at.subset.pigments.begin() + at.subset.size,
                         p) != at.subset.pigments.begin() + at.subset.size;
      };
      for (std::size_t p = 0; p < count; ++p) {
        if (in_subset(p) || (has_diluent() && p == diluent()))
          continue;
        const Vec3 column = secant_column(at, p, h);
        for (std::size_t k = 0; k < 3; ++k)
          columns[k * count + p] = column[k];
      }
      return;
    }
    for (std::size_t k = 0; k < 3; ++k) {
      double* out = columns.data() + k * count;
      for (std::size_t band = 0; band < Spectrum::band_count; ++band) {
        const double gk = at.gk[k][band], gs = at.gs[k][band];
        const double* kb = k_by_band_.data() + band * count;
        const double* sb = s_by_band_.data() + band * count;
        for (std::size_t p = 0; p < count; ++p)
          out[p] += gk * kb[p] + gs * sb[p];
      }
      for (std::size_t p = 0; p < count; ++p)
        out[p] -= at.own[k];
    }
  }

  Vec3 secant_column(const Linearisation& at, std::size_t pigment, double h) const {
    Subset s = at.subset;
    s.pigments[s.size] = pigment;
    Values x = at.x;
    x[s.size] = has_diluent() ? h : h * at.weight / (1 - h);
    ++s.size;
    const Vec3 rh = residual(s, x);
    return {(rh[0] - at.r[0]) / h, (rh[1] - at.r[1]) / h, (rh[2] - at.r[2]) / h};
  }

 private:
  Lab adapt(const Lab& d50) const {
    if (request_.illuminant == Illuminant::d50)
      return d50;
    const Xyz d50_white = white_point(Illuminant::d50);
    return to_lab(adapt_bradford(to_xyz(d50, d50_white), d50_white, white_), white_);
  }

  // The film's residual; with `jacobian`, also ∂r/∂ln(xᵢ) by the chain rule through XYZ and
  // Lab (concentrations cᵢ = xᵢ beside a diluent, else xᵢ/Σx).
  Vec3 film_residual(const Subset& s, const Values& x, std::array<Vec3, max_subset>* jacobian,
                     Linearisation* at = nullptr) const {
    std::array<double, max_subset> c{};
    double sum = 0;
    for (std::size_t i = 0; i < s.size; ++i)
      sum += x[i];
    for (std::size_t i = 0; i < s.size; ++i)
      c[i] = has_diluent() ? x[i] : x[i] / sum;
    std::array<Vec3, max_subset> dxyz{};
    BandSlopes slopes;
    const Vec3 xyz = film_->xyz(s.pigments.data(), c.data(), s.size, jacobian ? &dxyz : nullptr,
                                at != nullptr ? &slopes : nullptr);
    const double tx = xyz[0] / white_.X, ty = xyz[1] / white_.Y, tz = xyz[2] / white_.Z;
    const double fx = lab_f(tx), fy = lab_f(ty), fz = lab_f(tz);
    const Vec3 r = residual(Lab{116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)});
    if (jacobian == nullptr)
      return r;
    const double sx = lab_f_slope(tx, fx) / white_.X, sy = lab_f_slope(ty, fy) / white_.Y,
                 sz = lab_f_slope(tz, fz) / white_.Z;
    const auto chain = [&](const Vec3& d) {  // ∂r from ∂XYZ
      const double dfx = sx * d[0], dfy = sy * d[1], dfz = sz * d[2];
      const double dl = 116 * dfy, da = 500 * (dfx - dfy), db = 200 * (dfy - dfz);
      return Vec3{dl * inv_kl_, (da * cos_ + db * sin_) * inv_sc_,
                  (db * cos_ - da * sin_) * inv_sh_};
    };
    std::array<Vec3, max_subset> dr{};  // ∂r/∂cᵢ
    for (std::size_t i = 0; i < s.size; ++i)
      dr[i] = chain(dxyz[i]);
    if (at != nullptr)
      lay_open(slopes, chain(Vec3{1, 0, 0}), chain(Vec3{0, 1, 0}), chain(Vec3{0, 0, 1}), *at);
    Vec3 mean{};  // Σ cⱼ ∂r/∂cⱼ: what renormalisation takes back without a diluent
    if (!has_diluent()) {
      for (std::size_t i = 0; i < s.size; ++i)
        for (std::size_t k = 0; k < 3; ++k)
          mean[k] += c[i] * dr[i][k];
    }
    for (std::size_t i = 0; i < s.size; ++i)
      for (std::size_t k = 0; k < 3; ++k)
        (*jacobian)[i][k] = c[i] * (dr[i][k] - mean[k]);
    return r;
  }

  // ∂r/∂K and ∂r/∂S per band from the band slopes and ∂r/∂X, ∂r/∂Y, ∂r/∂Z.
  void lay_open(const BandSlopes& slopes, const Vec3& rx, const Vec3& ry, const Vec3& rz,
                Linearisation& at) const {
    at.own = {};
    for (std::size_t k = 0; k < 3; ++k) {
      for (std::size_t band = 0; band < Spectrum::band_count; ++band) {
        const double w =
            rx[k] * weights_.x[band] + ry[k] * weights_.y[band] + rz[k] * weights_.z[band];
        at.gk[k][band] = w * slopes.dk[band];
        at.gs[k][band] = w * slopes.ds[band];
        if (!has_diluent())
          at.own[k] += at.gk[k][band] * slopes.k[band] + at.gs[k][band] * slopes.s[band];
      }
    }
  }

  const FormulationRequest& request_;
  const PigmentPool& pool_;
  const Mixer& mixer_;
  const WeightTable& weights_;
  Xyz white_;
  Lab target_;
  std::optional<FilmModel> film_;
  std::vector<double> k_by_band_, s_by_band_;
  double cos_ = 1, sin_ = 0, inv_sc_ = 1, inv_sh_ = 1, inv_kl_ = 1;
};

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

// The screen's linearised estimate for a subset: its residual after one constrained
// Gauss–Newton step from a parent, and the step (log steps of the parent's pigments in its
// order, then the added pigment's concentration).
struct Estimate {
  double error = 0;
  Values step{};
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

// ---- progress --------------------------------------------------------------------------------

// The request's progress callback, called each time the work done has grown by a 256th of the
// planned work: often enough for a progress bar and a prompt Cancel, rarely enough to cost
// nothing beside the model evaluations in between. The plan counts one unit per subset
// optimised, per parent screened and per candidate quantised; the top level's optimisations
// are planned at screen_minimum, and the fraction is clamped to stay monotone when the search
// does more or less than planned.
class WorkProgress {
 public:
  explicit WorkProgress(const std::function<bool(double)>& callback) : callback_(callback) {}

  void plan(double units) {
    total_ += units;
    next_ = callback_ ? total_ / steps : std::numeric_limits<double>::infinity();
  }
  void advance(double units = 1) {
    done_ += units;
    if (done_ >= next_)
      report(std::min(done_ / total_, almost_done));
  }
  // The work up to `units` is done (a search that stopped before its plan).
  void reach(double units) { advance(std::max(0.0, units - done_)); }
  void finish() {
    if (callback_)
      report(1.0);
  }

 private:
  static constexpr double steps = 256;
  static constexpr double almost_done = 0.999;

  void report(double fraction) {
    last_ = std::max(last_, fraction);
    next_ = done_ + total_ / steps;
    if (!callback_(last_))
      throw Error(ErrorCode::cancelled, "the formulation was cancelled before it finished");
  }

  const std::function<bool(double)>& callback_;
  double total_ = 0, done_ = 0, last_ = 0;
  double next_ = std::numeric_limits<double>::infinity();
};

class Search {
 public:
  Search(const FormulationRequest& request, const Scorer& scorer, std::size_t pigment_count,
         WorkProgress& progress)
      : request_(request),
        scorer_(scorer),
        pigments_(pigment_count),
        progress_(progress),
        keep_(std::max<std::size_t>(6 * request.top, 24)),
        // Every pigment of a subset is in it with at least one drop: the optimiser works on
        // log concentrations above this floor, so sub-drop "solutions" (which exist: three
        // pigments at 1 % can match a pale target exactly) never crowd out real recipes.
        floor_(std::min(request.drop_volume_ml / request.total_volume_ml,
                        0.5 / static_cast<double>(request.max_pigments))) {}

  void run() {
    if (request_.exhaustive)
      run_exhaustive();
    else
      run_screened();
  }

  // The units of work run() plans for its progress (WorkProgress).
  double planned_work() const {
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

  const std::vector<Candidate>& candidates() const { return kept_; }
  std::size_t kept_capacity() const { return keep_; }
  std::size_t searched() const { return searched_; }
  std::size_t optimised() const { return optimised_; }

 private:
  // Every subset optimised from several starts (the reference the screen is measured against).
  void run_exhaustive() {
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

  // The screened search (formulate.h). Level by level: every subset is screened from each of
  // its parents (the subset without one pigment) by a linearised step that costs no model
  // evaluation. Below the top level every subset is then optimised (its solution is where its
  // children's screens start: a poor one hid the best triple of a 100-pigment target); at the
  // top level subsets are optimised best screen first, until the next screen is worse than the
  // kept list's worst by more than `screen_margin`.
  void run_screened() {
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
        Solution start = evaluate_differentiated(
            s, estimated_x(previous[parent_rank], level - 1, step, position));
        if (previous_error[parent_rank] < start.error) {
          Values plain = previous[parent_rank];
          plain[level - 1] = floor_;
          plain = in_subset_order(plain, level - 1, position);
          project(plain, level, scorer_.has_diluent(), floor_);
          Solution alternative = evaluate_differentiated(s, plain);
          if (alternative.error < start.error)
            start = std::move(alternative);
        }
        const Solution solution = levenberg_marquardt(s, std::move(start), give_up());
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

  // The best-screened subsets of the top level optimised whatever their screen: small catalogs
  // are then searched exhaustively in effect (16 pigments × 3: 560 subsets), where the margin
  // alone lost two known recipes to the screen (bench_formulate --recall 16 3 40).
  static constexpr std::size_t screen_minimum = 2000;
  // How far a screened subset may be from the kept list's worst and still be optimised: the
  // linearisation's error on subsets that enter the list (measured: bench_formulate --recall).
  static constexpr double screen_margin = 1.0;
  // The largest change of a parent's log concentration (a factor e) that the screen's
  // linearisation is trusted with; the added pigment is capped at the whole mix.
  static constexpr double screen_trust = 1.0;

  // A run still above this after three accepted steps is abandoned: LM's error falls fast on
  // subsets that enter the kept list (measured: bench_formulate --recall; after two steps, a
  // 25-pigment known recipe was lost).
  double give_up() const {
    if (kept_.size() < keep_)
      return std::numeric_limits<double>::infinity();
    return 1.5 * kept_.back().error + 0.3;
  }

  double cutoff() const {
    if (kept_.size() < keep_)
      return std::numeric_limits<double>::infinity();
    return kept_.back().error + screen_margin;
  }

  // One damped Gauss–Newton step from the parent `at` with a pigment (its column ∂r/∂δ) added
  // at concentration δ ≥ one drop (fixed at one drop when the step wants less: the pigment
  // does not help to first order), steps limited to the trusted range; the linearised residual
  // there. δ comes from the Schur complement of the added column against the parent's
  // prepared normal equations: the same step as damped_step() on all columns.
  Estimate estimate(const Linearisation& at, const Vec3& column) const {
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

  // The concentrations an estimate's step leads to from the parent's `x` (n pigments), in the
  // subset's order (the added pigment at `position`).
  Values estimated_x(const Values& x, std::size_t n, const Values& step,
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

  static constexpr double screen_damping = 1e-4;

  // Fills at.inverse and at.own_step (see Linearisation) by Gauss–Jordan elimination; the damped
  // matrix is symmetric positive definite.
  static void prepare_screen(Linearisation& at) {
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

  bool next_combination(Subset& s) const {
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

  std::array<Vec3, max_subset> jacobian(const Subset& s, const Values& x, const Vec3& r) const {
    std::array<Vec3, max_subset> j{};
    Vec3 exact{};
    if (scorer_.residual_and_jacobian(s, x, exact, j)) {
      return j;
    }
    for (std::size_t i = 0; i < s.size; ++i)
      j[i] = column(s, x, r, i);
    return j;
  }

  // ∂r/∂ln(xᵢ): the optimiser works on log concentrations, because a pigment's effect on
  // colour grows roughly with the logarithm of its concentration (one strong and one weak
  // pigment then have comparable scales, and the Lab residual is far less curved).
  Vec3 column(const Subset& s, const Values& x, const Vec3& r, std::size_t i) const {
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

  // x·e^step, kept a mix.
  Values apply(const Values& x, const Values& step, std::size_t n) const {
    Values out = x;
    for (std::size_t i = 0; i < n; ++i)
      out[i] = x[i] * std::exp(std::clamp(step[i], -8.0, 8.0));
    project(out, n, scorer_.has_diluent(), floor_);
    return out;
  }

  Solution evaluate(const Subset& s, const Values& x) const {
    Solution out;
    out.x = x;
    out.r = scorer_.residual(s, x);
    out.error = norm(out.r);
    out.exact = true;
    return out;
  }

  // evaluate(), with the Jacobian when the model gives it analytically (one pass for both).
  Solution evaluate_differentiated(const Subset& s, const Values& x) const {
    Solution out;
    out.x = x;
    if (!scorer_.residual_and_jacobian(s, x, out.r, out.jacobian))
      return evaluate(s, x);
    out.error = norm(out.r);
    out.exact = true;
    out.differentiated = true;
    return out;
  }

  // Projected Levenberg–Marquardt from `start` (exact); returns the solution with its Jacobian.
  // `give_up`: a run still above it after three accepted steps stops there (the screened search's
  // early exit, see run_screened()).
  Solution levenberg_marquardt(const Subset& s, Solution current,
                               double give_up = std::numeric_limits<double>::infinity()) {
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

  Solution optimise_single(const Subset& s) {
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

  // Each parent (the subset without one pigment) is extended by the missing pigment at 0, and
  // one linearised, damped Gauss–Newton step from there says how close this subset can come.
  // Subsets whose best screen could enter the kept list are optimised fully, from every
  // parent's start and then from starts where each pigment dominates in turn (the Lab
  // residual is not convex: a parent's basin is not always this subset's).
  Solution screen_and_optimise(const Subset& s,
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
      Solution result = levenberg_marquardt(s, std::move(from));
      if (result.error < best.error)
        best = std::move(result);
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

  // A coarse grid of starts (each concentration 0.5 %, 5 % or 40 %); the best two that begin
  // below `best` are refined, and replace it when they end lower.
  void refine_from_grid(const Subset& s, Solution& best) {
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
        second = std::move(first);
        first = std::move(trial);
      } else if (trial.error < second.error) {
        second = std::move(trial);
      }
    }
    for (Solution* from : {&first, &second}) {
      if (best.error <= converged || !(from->error < best.error))
        break;
      Solution result = levenberg_marquardt(s, std::move(*from));
      if (result.error < best.error)
        best = std::move(result);
    }
  }

  // Screened subsets at or below this are optimised: the kept list's worst plus a wide margin,
  // because one linearised step from a parent's solution often misjudges a subset whose
  // solution lies far away (tighter margins lost 10 % of known recipes in the 200-case test).
  double threshold() const {
    if (request_.exhaustive || kept_.size() < keep_)
      return std::numeric_limits<double>::infinity();
    return kept_.back().error * 2.0 + 3.0;
  }

  double parsimony(std::size_t pigments) const {
    return request_.parsimony_weight * static_cast<double>(pigments - 1);
  }

  bool contains_required(const Subset& s) const {
    for (const std::size_t r : required_) {
      if (std::find(s.pigments.begin(), s.pigments.begin() + static_cast<std::ptrdiff_t>(s.size),
                    r) == s.pigments.begin() + static_cast<std::ptrdiff_t>(s.size))
        return false;
    }
    return true;
  }

  // Ranks a continuous solution by the error of its nearest whole-drop recipe (many subsets
  // match exactly in continuous concentrations; which of them survive rounding is what counts)
  // plus the parsimony term.
  void consider(const Subset& s, const Solution& solution) {
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
    const auto at =
        std::upper_bound(kept_.begin(), kept_.end(), candidate,
                         [](const auto& a, const auto& b) { return a.error < b.error; });
    kept_.insert(at, candidate);
    if (kept_.size() > keep_)
      kept_.pop_back();
  }

 public:
  std::vector<std::size_t> required_;

 private:
  const FormulationRequest& request_;
  const Scorer& scorer_;
  std::size_t pigments_;
  WorkProgress& progress_;
  std::size_t keep_;
  double floor_;
  std::vector<Candidate> kept_;

 public:
  std::vector<double> drop_fraction_;  // one drop of each pigment as a fraction of the volume

 private:
  std::size_t searched_ = 0, optimised_ = 0;
};

// ---- drops --------------------------------------------------------------------------------

struct DropRecipe {
  std::vector<std::size_t> pool_index;  // pigments of the subset, then the diluent
  std::vector<int> drops;
  std::vector<double> drop_ml;
};

class Quantiser {
 public:
  Quantiser(const FormulationRequest& request, const PigmentPool& pool, const Scorer& scorer,
            const Mixer& mixer)
      : request_(request), pool_(pool), scorer_(scorer), mixer_(mixer) {
    // Metamerism needs the target's spectrum: the measured one, or the smooth reconstruction
    // from its Lab (then the index says how far the recipe departs from a smooth match).
    target_spectrum_ = request.target_reflectance ? *request.target_reflectance
                                                  : reconstruct_reflectance(request.target_lab_d50);
  }

  std::vector<std::size_t> required;  // pool indices that must keep at least one drop

  DropRecipe round(const Candidate& c) const {
    DropRecipe recipe;
    double pigment_ml = 0;
    for (std::size_t i = 0; i < c.subset.size; ++i) {
      const std::size_t index = c.subset.pigments[i];
      const double ml = drop_ml(index);
      recipe.pool_index.push_back(index);
      recipe.drop_ml.push_back(ml);
      double share = c.x[i];
      if (!pool_.has_diluent) {
        double sum = 0;
        for (std::size_t j = 0; j < c.subset.size; ++j)
          sum += c.x[j];
        share /= sum;
      }
      const int drops = static_cast<int>(std::lround(share * request_.total_volume_ml / ml));
      recipe.drops.push_back(drops);
      pigment_ml += drops * ml;
    }
    if (pool_.has_diluent) {
      const std::size_t d = pool_.entries.size() - 1;
      const double ml = drop_ml(d);
      recipe.pool_index.push_back(d);
      recipe.drop_ml.push_back(ml);
      recipe.drops.push_back(
          std::max(0, static_cast<int>(std::lround((request_.total_volume_ml - pigment_ml) / ml))));
    }
    if (std::all_of(recipe.drops.begin(),
                    recipe.drops.begin() + static_cast<std::ptrdiff_t>(c.subset.size),
                    [](int d) { return d == 0; })) {
      // Too little of everything for one drop: give the strongest share one drop.
      const auto strongest =
          std::max_element(c.x.begin(), c.x.begin() + static_cast<std::ptrdiff_t>(c.subset.size));
      recipe.drops[static_cast<std::size_t>(strongest - c.x.begin())] = 1;
    }
    for (std::size_t i = 0; i < c.subset.size; ++i) {
      if (is_required(recipe.pool_index[i]))
        recipe.drops[i] = std::max(recipe.drops[i], 1);
    }
    return recipe;
  }

  // The best whole-drop recipe of a candidate's pigments. Near the continuous optimum u the
  // residual is r(p) ≈ r* + J·(p − u), so a recipe p can beat the rounded start's residual e only
  // where ‖J·(p − u)‖ ≤ e + ‖r*‖ ≤ 2e. Every drop count in that ellipsoid, widened by half again
  // for the model's curvature, is scored; the best is kept. Directions the colour hardly depends
  // on (four pigments for three coordinates) leave the ellipsoid long: there the volume bounds
  // it. The drop counts stay on the lattice: each pigment at least one drop, the diluent (or,
  // without one, the last pigment) filling the cup to the request's volume.
  DropRecipe best_drops(const Candidate& c) const {
    DropRecipe start = round(c);
    const std::size_t free = free_count(start);
    const Values centre = continuous_drops(c);
    // Rounding every pigment up can overfill the cup: take drops back where rounding added most.
    while (!fill_cup(start)) {
      std::size_t most = free;
      for (std::size_t i = 0; i < free; ++i) {
        if (start.drops[i] > 1 &&
            (most == free || start.drops[i] - centre[i] > start.drops[most] - centre[most]))
          most = i;
      }
      if (most == free)
        return start;
      --start.drops[most];
    }
    const std::array<Vec3, max_subset> jacobian = drop_jacobian(start, free);
    const double reach = 3 * norm(residual(start));
    detail::SquareMatrix<max_subset> h{};
    double trace = 0;
    for (std::size_t i = 0; i < free; ++i) {
      for (std::size_t j = 0; j < free; ++j)
        h[i][j] = dot(jacobian[i], jacobian[j]);
      trace += h[i][i];
    }
    // A slight ridge keeps the inverse finite along directions the colour does not see.
    const double ridge = 1e-9 * trace + 1e-12;
    for (std::size_t i = 0; i < free; ++i)
      h[i][i] += ridge;
    detail::SquareMatrix<max_subset> inverse{};
    if (!detail::invert_leading(h, free, inverse, 0.0))
      return start;
    std::array<int, max_subset> low{}, high{};
    for (std::size_t i = 0; i < free; ++i) {
      const double half_width = reach * std::sqrt(std::max(0.0, inverse[i][i]));
      low[i] = std::max(1, static_cast<int>(std::floor(centre[i] - half_width)));
      high[i] = std::min(max_drops(start, i), static_cast<int>(std::ceil(centre[i] + half_width)));
      // The rounded start is always inside.
      low[i] = std::min(low[i], start.drops[i]);
      high[i] = std::max(high[i], start.drops[i]);
    }
    DropRecipe best = start;
    double best_value = objective(start);
    DropRecipe trial = start;
    std::size_t scored = 0;
    const auto walk = [&](const auto& self, std::size_t k) -> void {
      if (scored >= max_scored)
        return;
      if (k == free) {
        if (!fill_cup(trial))
          return;
        ++scored;
        const double value = objective(trial);
        if (value < best_value - 1e-12) {
          best_value = value;
          best = trial;
        }
        return;
      }
      for (int n = low[k]; n <= high[k]; ++n) {
        trial.drops[k] = n;
        // The box holds the ellipsoid; the cup's volume prunes the rest.
        if (!fits_cup(trial, k + 1))
          break;
        self(self, k + 1);
      }
      trial.drops[k] = start.drops[k];
    };
    walk(walk, 0);
    return best;
  }

  // Moves single drops between components while the objective improves (steepest descent).
  void polish(DropRecipe& recipe) const {
    double best = objective(recipe);
    for (int round = 0; round < 200; ++round) {
      std::size_t from = 0, to = 0;
      double best_move = best;
      for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
        if (recipe.drops[i] == 0 || (recipe.drops[i] == 1 && is_required(recipe.pool_index[i])))
          continue;
        for (std::size_t j = 0; j < recipe.drops.size(); ++j) {
          if (i == j)
            continue;
          --recipe.drops[i], ++recipe.drops[j];
          const double value = has_pigment(recipe) ? objective(recipe) : best;
          ++recipe.drops[i], --recipe.drops[j];
          if (value < best_move - 1e-12)
            best_move = value, from = i, to = j;
        }
      }
      if (best_move >= best)
        break;
      --recipe.drops[from], ++recipe.drops[to];
      best = best_move;
    }
  }

  Recipe describe(const DropRecipe& recipe) const {
    Recipe out;
    const MixColour colour = mix(recipe);
    const double total = total_ml(recipe);
    for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
      if (recipe.drops[i] == 0)
        continue;
      const PoolPigment& entry = pool_.entries[recipe.pool_index[i]];
      RecipeComponent c;
      c.catalog_id = entry.catalog_id;
      c.code = entry.pigment.code;
      c.name = entry.pigment.name;
      c.is_diluent = entry.pigment.is_diluent;
      c.drops = recipe.drops[i];
      c.ml = recipe.drops[i] * recipe.drop_ml[i];
      c.fraction = c.ml / total;
      out.components.push_back(std::move(c));
    }
    out.predicted_lab_d50 = colour.reflectance ? to_lab(*colour.reflectance) : colour.lab_d50;
    out.predicted_lab = scorer_.lab_under_illuminant(colour);
    out.de00 = scorer_.de00(colour);
    if (colour.reflectance)
      out.metamerism_index = metamerism(*colour.reflectance);
    out.cost_per_ml = cost(recipe);
    out.objective =
        score(scorer_.judged(colour), out.metamerism_index, out.cost_per_ml, pigments(recipe));
    out.total_ml = total;
    return out;
  }

  std::vector<int> signature(const DropRecipe& recipe) const {
    std::vector<int> drops(pool_.entries.size(), 0);
    for (std::size_t i = 0; i < recipe.drops.size(); ++i)
      drops[recipe.pool_index[i]] = recipe.drops[i];
    return drops;
  }

 private:
  double drop_ml(std::size_t index) const {
    return pool_.entries[index].pigment.drop_volume_ml.value_or(request_.drop_volume_ml);
  }
  bool is_required(std::size_t index) const {
    return std::find(required.begin(), required.end(), index) != required.end();
  }
  // At most this many recipes are scored per candidate (a 20-drop cup holds 1 140 recipes of
  // three pigments in all): a large cup in small drops with a long ellipsoid stops there.
  static constexpr std::size_t max_scored = 20'000;

  // Pigments the search sets freely: all of the subset's when a diluent fills the cup, else all
  // but the last, which fills it.
  std::size_t free_count(const DropRecipe& recipe) const {
    const std::size_t pigments = recipe.drops.size() - (pool_.has_diluent ? 1 : 0);
    return pool_.has_diluent ? pigments : pigments - 1;
  }

  // Sets the filling component's drops so the cup holds the request's volume; false when the
  // free pigments alone overfill it (or, without a diluent, leave the last pigment no drop).
  bool fill_cup(DropRecipe& recipe) const {
    const std::size_t free = free_count(recipe);
    double ml = 0;
    for (std::size_t i = 0; i < free; ++i)
      ml += recipe.drops[i] * recipe.drop_ml[i];
    const std::size_t filler = recipe.drops.size() - 1;
    const double left = request_.total_volume_ml - ml;
    if (left < -1e-9)
      return false;
    const int drops = static_cast<int>(std::lround(left / recipe.drop_ml[filler]));
    const int least = pool_.has_diluent ? 0 : 1;
    if (drops < least)
      return false;
    recipe.drops[filler] = drops;
    return true;
  }

  // Whether the first `count` free pigments leave room in the cup for one drop of each of the
  // rest.
  bool fits_cup(const DropRecipe& recipe, std::size_t count) const {
    double ml = 0;
    for (std::size_t i = 0; i < free_count(recipe); ++i)
      ml += (i < count ? recipe.drops[i] : 1) * recipe.drop_ml[i];
    if (!pool_.has_diluent)
      ml += recipe.drop_ml.back();
    return ml <= request_.total_volume_ml + 1e-9;
  }

  int max_drops(const DropRecipe& recipe, std::size_t i) const {
    return std::max(
        1, static_cast<int>(std::floor(request_.total_volume_ml / recipe.drop_ml[i] + 1e-9)));
  }

  // The candidate's continuous optimum in drops of each free pigment.
  Values continuous_drops(const Candidate& c) const {
    double sum = 0;
    for (std::size_t i = 0; i < c.subset.size; ++i)
      sum += c.x[i];
    Values drops{};
    for (std::size_t i = 0; i < c.subset.size; ++i) {
      const double share = pool_.has_diluent || !(sum > 0) ? c.x[i] : c.x[i] / sum;
      drops[i] = share * request_.total_volume_ml / drop_ml(c.subset.pigments[i]);
    }
    return drops;
  }

  Vec3 residual(const DropRecipe& recipe) const {
    return scorer_.residual(scorer_.lab_under_illuminant(mix(recipe)));
  }

  // ∂r/∂(drops) of each free pigment, by secants one drop wide around `at` (one-sided at the
  // lattice's edges).
  std::array<Vec3, max_subset> drop_jacobian(const DropRecipe& at, std::size_t free) const {
    std::array<Vec3, max_subset> jacobian{};
    for (std::size_t i = 0; i < free; ++i) {
      DropRecipe up = at, down = at;
      ++up.drops[i];
      down.drops[i] = std::max(1, down.drops[i] - 1);
      const bool up_ok = fill_cup(up), down_ok = down.drops[i] < at.drops[i] && fill_cup(down);
      const DropRecipe& a = up_ok ? up : at;
      const DropRecipe& b = down_ok ? down : at;
      const int step = a.drops[i] - b.drops[i];
      if (step == 0)
        continue;
      const Vec3 ra = residual(a), rb = residual(b);
      for (std::size_t k = 0; k < 3; ++k)
        jacobian[i][k] = (ra[k] - rb[k]) / step;
    }
    return jacobian;
  }

  bool has_pigment(const DropRecipe& recipe) const {
    for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
      if (recipe.drops[i] > 0 && !pool_.entries[recipe.pool_index[i]].pigment.is_diluent)
        return true;
    }
    return false;
  }
  double total_ml(const DropRecipe& recipe) const {
    double total = 0;
    for (std::size_t i = 0; i < recipe.drops.size(); ++i)
      total += recipe.drops[i] * recipe.drop_ml[i];
    return total;
  }
  MixColour mix(const DropRecipe& recipe) const {
    const double total = total_ml(recipe);
    std::array<double, 5> conc{};
    for (std::size_t i = 0; i < recipe.drops.size(); ++i)
      conc[i] = recipe.drops[i] * recipe.drop_ml[i] / total;
    return mixer_.mix({recipe.pool_index, {conc.data(), recipe.drops.size()}});
  }
  double metamerism(const Spectrum& reflectance) const {
    double worst = 0;
    for (const Illuminant illuminant : request_.metamerism_illuminants) {
      if (illuminant == request_.illuminant)
        continue;
      worst = std::max(worst, delta_e2000(to_lab(target_spectrum_, illuminant),
                                          to_lab(reflectance, illuminant)));
    }
    return worst;
  }
  double cost(const DropRecipe& recipe) const {
    const double total = total_ml(recipe);
    double sum = 0;
    for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
      const auto& price = pool_.entries[recipe.pool_index[i]].pigment.price;
      if (price && price->volume_ml > 0)
        sum += recipe.drops[i] * recipe.drop_ml[i] / total * price->amount / price->volume_ml;
    }
    return sum;
  }
  double score(double de00, std::optional<double> mi, double cost_per_ml,
               std::size_t pigment_count) const {
    return de00 + request_.metamerism_weight * mi.value_or(0) + request_.cost_weight * cost_per_ml +
           request_.parsimony_weight *
               static_cast<double>(std::max<std::size_t>(pigment_count, 1) - 1);
  }
  std::size_t pigments(const DropRecipe& recipe) const {
    std::size_t count = 0;
    for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
      if (recipe.drops[i] > 0 && !pool_.entries[recipe.pool_index[i]].pigment.is_diluent)
        ++count;
    }
    return count;
  }
  double objective(const DropRecipe& recipe) const {
    const MixColour colour = mix(recipe);
    const double de = scorer_.judged(colour);
    std::optional<double> mi;
    if (request_.metamerism_weight > 0 && colour.reflectance)
      mi = metamerism(*colour.reflectance);
    const double c = request_.cost_weight > 0 ? cost(recipe) : 0;
    return score(de, mi, c, pigments(recipe));
  }

  const FormulationRequest& request_;
  const PigmentPool& pool_;
  const Scorer& scorer_;
  const Mixer& mixer_;
  Spectrum target_spectrum_;
};

// The subset count grows as C(P, N); beyond a few million the search takes minutes.
constexpr double max_subsets = 2e7;

double subset_count(std::size_t pigments, std::size_t max_pigments) {
  double subsets = 0, term = 1;
  for (std::size_t k = 1; k <= std::min(max_pigments, pigments); ++k) {
    term = term * static_cast<double>(pigments - k + 1) / static_cast<double>(k);
    subsets += term;
  }
  return subsets;
}

// What makes a search that is too large feasible: fewer pigments per recipe, or the pool
// narrowed to a product line or a catalog (the largest named, with their sizes).
std::string narrowing_advice(const FormulationRequest& r, const PigmentPool& pool) {
  const std::size_t pigments = pool.entries.size() - (pool.has_diluent ? 1 : 0);
  std::vector<std::string> ways;
  for (std::size_t n = r.max_pigments - 1; n >= 1; --n) {
    if (subset_count(pigments, n) <= max_subsets) {
      ways.push_back(
          fmt::format("--max-pigments {} ({:.3g} subsets)", n, subset_count(pigments, n)));
      break;
    }
  }
  const auto largest = [&](auto key, const char* option) {
    std::map<std::string, std::size_t> sizes;
    for (std::size_t i = 0; i < pigments; ++i)
      ++sizes[key(pool.entries[i])];
    if (sizes.size() < 2)
      return;
    std::vector<std::pair<std::string, std::size_t>> by_size(sizes.begin(), sizes.end());
    std::stable_sort(by_size.begin(), by_size.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<std::string> named;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, by_size.size()); ++i)
      named.push_back(fmt::format("'{}' ({})", by_size[i].first, by_size[i].second));
    ways.push_back(fmt::format("{} NAME to keep one of {} ({}{})", option, sizes.size(),
                               fmt::join(named, ", "), by_size.size() > 3 ? ", …" : ""));
  };
  largest([](const PoolPigment& p) { return p.pigment.line; }, "--line");
  largest([](const PoolPigment& p) { return p.catalog_id; }, "--catalog");
  if (ways.empty())
    return "lower --max-pigments or load fewer catalogs";
  return fmt::format("use {}", fmt::join(ways, ", or "));
}

void check_request(const FormulationRequest& r, const PigmentPool& pool) {
  const auto bad = [](const std::string& what) { return Error(ErrorCode::invalid_argument, what); };
  const Lab& t = r.target_lab_d50;
  if (!std::isfinite(t.L) || !std::isfinite(t.a) || !std::isfinite(t.b) || t.L < 0 || t.L > 100)
    throw bad(
        fmt::format("target Lab ({}, {}, {}) is not a colour: L must be 0–100", t.L, t.a, t.b));
  if (r.max_pigments < 1 || r.max_pigments > max_subset)
    throw bad(fmt::format("max pigments {} is outside 1–4", r.max_pigments));
  if (!(r.total_volume_ml > 0 && r.total_volume_ml <= 1000))
    throw bad(fmt::format("total volume {} ml is outside (0, 1000]", r.total_volume_ml));
  if (!(r.drop_volume_ml > 0 && r.drop_volume_ml <= r.total_volume_ml))
    throw bad(fmt::format("drop volume {} ml must be > 0 and at most the total volume",
                          r.drop_volume_ml));
  if (r.top < 1)
    throw bad("top must be at least 1");
  if (!(r.metamerism_weight >= 0) || !(r.cost_weight >= 0))
    throw bad("metamerism and cost weights must be >= 0");
  const std::size_t pigments = pool.entries.size() - (pool.has_diluent ? 1 : 0);
  if (pigments == 0)
    throw bad("no pigments to formulate with");
  const double subsets = subset_count(pigments, r.max_pigments);
  if (subsets > max_subsets) {
    throw Error(ErrorCode::too_large,
                fmt::format("{} pigments with up to {} per recipe make {:.3g} subsets, too many "
                            "to search: {}",
                            pigments, r.max_pigments, subsets, narrowing_advice(r, pool)));
  }
}

// The same mix written another way (14 K50 + 6 diluent = 7 K100 + 13 diluent): the same
// predicted colour, under every light the metamerism index looks at. Below what anyone can see.
bool equivalent(const Recipe& a, const Recipe& b) {
  constexpr double same = 0.02;  // ΔE00
  if (delta_e2000(a.predicted_lab_d50, b.predicted_lab_d50) > same)
    return false;
  if (a.metamerism_index.has_value() != b.metamerism_index.has_value())
    return false;
  return !a.metamerism_index || std::abs(*a.metamerism_index - *b.metamerism_index) <= same;
}

std::size_t pigment_count(const Recipe& r) {
  return static_cast<std::size_t>(std::count_if(r.components.begin(), r.components.end(),
                                                [](const auto& c) { return !c.is_diluent; }));
}

// Equivalent mixes are listed once, as the simplest of them (fewest pigments, then fewest drops
// of pigment), with its own score. True when `recipe` had an equivalent in `kept`.
bool replaces_equivalent(std::vector<Recipe>& kept, Recipe& recipe) {
  const auto same = std::find_if(kept.begin(), kept.end(),
                                 [&](const Recipe& k) { return equivalent(k, recipe); });
  if (same == kept.end())
    return false;
  const auto pigment_drops = [](const Recipe& r) {
    int drops = 0;
    for (const RecipeComponent& c : r.components)
      drops += c.is_diluent ? 0 : c.drops;
    return drops;
  };
  const auto simplicity = [&](const Recipe& r) {
    return std::pair(pigment_count(r), pigment_drops(r));
  };
  if (simplicity(recipe) < simplicity(*same))
    *same = std::move(recipe);
  return true;
}

// The lightness term of ΔE00 alone (chroma and hue weighted out).
double lightness_term(const Lab& a, const Lab& b) {
  constexpr double ignored = 1e9;
  return delta_e2000(a, b, De2000Weights{1.0, ignored, ignored});
}

// "Nearest reachable" is rank 1, the recipe the table shows first; out of gamut when it is
// farther than the request's limit (in follicle mode: its lightness alone).
void describe_reach(const FormulationRequest& request, const Lab& target,
                    FormulationResult& result) {
  if (result.recipes.empty())
    return;
  const Recipe& best = result.recipes.front();
  result.nearest_reachable_d50 = best.predicted_lab_d50;
  result.nearest_reachable_de00 = best.de00;
  const std::string with = request.max_pigments == 1
                               ? std::string("one pigment")
                               : fmt::format("up to {} pigments", request.max_pigments);
  const Lab& n = best.predicted_lab_d50;
  if (request.lightness_gamut) {
    const double shade = lightness_term(target, best.predicted_lab);
    if (shade > request.gamut_warning_de00) {
      result.out_of_gamut = true;
      result.warning = fmt::format(
          "the shade is outside what these pigments can reach with {}: the nearest recipe "
          "(rank 1) gives L* {:.1f} against the target's {:.1f} (ΔE00 lightness term {:.1f})",
          with, best.predicted_lab.L, target.L, shade);
    }
    return;
  }
  if (best.de00 > request.gamut_warning_de00) {
    result.out_of_gamut = true;
    result.warning = fmt::format(
        "the target is outside what these pigments can reach with {}: the nearest recipe "
        "(rank 1) gives Lab D50 ({:.1f}, {:.1f}, {:.1f}), ΔE00 {:.1f} away",
        with, n.L, n.a, n.b, best.de00);
  }
}

}  // namespace

void check_formulation(const FormulationRequest& request, const PigmentPool& pool) {
  check_request(request, pool);
}

FormulationResult formulate(const FormulationRequest& request, const PigmentPool& pool,
                            const Mixer& mixer) {
  check_request(request, pool);
  const Scorer scorer(request, pool, mixer);
  const std::size_t pigments = pool.entries.size() - (pool.has_diluent ? 1 : 0);
  WorkProgress progress(request.progress);
  Search search(request, scorer, pigments, progress);
  // Quantising is planned as one unit per candidate the search may keep.
  const double search_work = search.planned_work();
  progress.plan(search_work + static_cast<double>(search.kept_capacity()));
  for (const std::string& code : request.required) {
    bool found = false;
    for (std::size_t i = 0; i < pigments; ++i) {
      if (iequals(pool.entries[i].pigment.code, code)) {
        search.required_.push_back(i);
        found = true;
        break;
      }
    }
    if (!found)
      throw Error(ErrorCode::not_found,
                  fmt::format("required pigment '{}' is not in the pool", code));
  }
  for (std::size_t i = 0; i < pigments; ++i) {
    search.drop_fraction_.push_back(
        pool.entries[i].pigment.drop_volume_ml.value_or(request.drop_volume_ml) /
        request.total_volume_ml);
  }
  search.run();
  progress.reach(search_work);

  FormulationResult result;
  result.subsets_searched = search.searched();
  result.subsets_optimised = search.optimised();
  const auto& candidates = search.candidates();
  if (candidates.empty()) {
    throw Error(ErrorCode::not_found,
                "no recipe satisfies the constraints: a required pigment needs room in "
                "--max-pigments");
  }
  Quantiser quantiser(request, pool, scorer, mixer);
  quantiser.required = search.required_;
  std::vector<std::pair<std::vector<int>, Recipe>> recipes;
  for (const Candidate& c : candidates) {
    progress.advance();
    DropRecipe drops = quantiser.best_drops(c);
    quantiser.polish(drops);
    std::vector<int> signature = quantiser.signature(drops);
    if (std::any_of(recipes.begin(), recipes.end(),
                    [&](const auto& r) { return r.first == signature; }))
      continue;
    recipes.emplace_back(std::move(signature), quantiser.describe(drops));
  }
  std::stable_sort(recipes.begin(), recipes.end(), [](const auto& a, const auto& b) {
    return a.second.objective < b.second.objective;
  });
  for (auto& [signature, recipe] : recipes) {
    if (result.recipes.size() == request.top)
      break;
    if (!replaces_equivalent(result.recipes, recipe))
      result.recipes.push_back(std::move(recipe));
  }
  // A simpler equivalent scores within a few hundredths of the one it stands for: ranked again.
  std::stable_sort(result.recipes.begin(), result.recipes.end(),
                   [](const Recipe& a, const Recipe& b) { return a.objective < b.objective; });
  describe_reach(request, scorer.target(), result);
  progress.finish();
  return result;
}

}  // namespace pigmatch
