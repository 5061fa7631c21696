#include "formulation/formulation_scorer.h"

#include <algorithm>
#include <cmath>

namespace pigmatch::formulation {

namespace {

// CIELAB's f(t) and its derivative (CIE 15:2004 exact rationals, as in color.cpp).
double lab_f(double t) {
  return t > 216.0 / 24389.0 ? std::cbrt(t) : (24389.0 / 27.0 * t + 16.0) / 116.0;
}
double lab_f_slope(double t, double f) {
  return t > 216.0 / 24389.0 ? f / (3 * t) : 24389.0 / 27.0 / 116.0;
}

}  // namespace

Scorer::Scorer(const FormulationRequest& request, const PigmentPool& pool, const Mixer& mixer)
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

bool Scorer::concentrations(const Subset& s, const Values& x, std::array<std::size_t, 5>& idx,
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

MixColour Scorer::mix(const Subset& s, const Values& x) const {
  std::array<std::size_t, 5> idx{};
  std::array<double, 5> conc{};
  std::size_t count = 0;
  concentrations(s, x, idx, conc, count);
  return mixer_.mix({{idx.data(), count}, {conc.data(), count}});
}

Lab Scorer::lab_under_illuminant(const MixColour& colour) const {
  if (colour.reflectance)
    return to_lab(to_xyz(*colour.reflectance, weights_), white_);
  return adapt(colour.lab_d50);
}

Vec3 Scorer::residual(const Lab& lab) const {
  const double da = lab.a - target_.a, db = lab.b - target_.b;
  return {(lab.L - target_.L) * inv_kl_, (da * cos_ + db * sin_) * inv_sc_,
          (db * cos_ - da * sin_) * inv_sh_};
}

Vec3 Scorer::residual(const Subset& s, const Values& x) const {
  if (film_)
    return film_residual<false, false>(s, x, nullptr, nullptr);
  return residual(lab_under_illuminant(mix(s, x)));
}

bool Scorer::residual_and_jacobian(const Subset& s, const Values& x, Vec3& r,
                                   std::array<Vec3, max_subset>& jacobian) const {
  if (!film_)
    return false;
  r = film_residual<true, false>(s, x, &jacobian, nullptr);
  return true;
}

double Scorer::de00(const MixColour& colour) const {
  return delta_e2000(target_, lab_under_illuminant(colour));
}

double Scorer::judged(const MixColour& colour) const {
  return delta_e2000(target_, lab_under_illuminant(colour), request_.judged_by);
}

void Scorer::linearise(const Subset& s, const Values& x, Linearisation& at) const {
  at.subset = s;
  at.x = x;
  at.weight = 0;
  for (std::size_t i = 0; i < s.size; ++i)
    at.weight += x[i];
  at.film = film_.has_value();
  if (at.film) {
    at.r = film_residual<true, true>(s, x, &at.jacobian, &at);
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

void Scorer::new_columns(const Linearisation& at, std::vector<double>& columns, double h) const {
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

Vec3 Scorer::secant_column(const Linearisation& at, std::size_t pigment, double h) const {
  Subset s = at.subset;
  s.pigments[s.size] = pigment;
  Values x = at.x;
  x[s.size] = has_diluent() ? h : h * at.weight / (1 - h);
  ++s.size;
  const Vec3 rh = residual(s, x);
  return {(rh[0] - at.r[0]) / h, (rh[1] - at.r[1]) / h, (rh[2] - at.r[2]) / h};
}

Lab Scorer::adapt(const Lab& d50) const {
  if (request_.illuminant == Illuminant::d50)
    return d50;
  const Xyz d50_white = white_point(Illuminant::d50);
  return to_lab(adapt_bradford(to_xyz(d50, d50_white), d50_white, white_), white_);
}

template <bool with_jacobian, bool with_slopes>
Vec3 Scorer::film_residual(const Subset& s, const Values& x, std::array<Vec3, max_subset>* jacobian,
                           Linearisation* at) const {
  std::array<double, max_subset> c{};
  double sum = 0;
  for (std::size_t i = 0; i < s.size; ++i)
    sum += x[i];
  for (std::size_t i = 0; i < s.size; ++i)
    c[i] = has_diluent() ? x[i] : x[i] / sum;
  std::array<Vec3, max_subset> dxyz{};
  BandSlopes slopes;
  const Vec3 xyz = film_->xyz(s.pigments.data(), c.data(), s.size, with_jacobian ? &dxyz : nullptr,
                              with_slopes ? &slopes : nullptr);
  const double tx = xyz[0] / white_.X, ty = xyz[1] / white_.Y, tz = xyz[2] / white_.Z;
  const double fx = lab_f(tx), fy = lab_f(ty), fz = lab_f(tz);
  const Vec3 r = residual(Lab{116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)});
  if (!with_jacobian)
    return r;
  const double sx = lab_f_slope(tx, fx) / white_.X, sy = lab_f_slope(ty, fy) / white_.Y,
               sz = lab_f_slope(tz, fz) / white_.Z;
  const auto chain = [&](const Vec3& d) {  // ∂r from ∂XYZ
    const double dfx = sx * d[0], dfy = sy * d[1], dfz = sz * d[2];
    const double dl = 116 * dfy, da = 500 * (dfx - dfy), db = 200 * (dfy - dfz);
    return Vec3{dl * inv_kl_, (da * cos_ + db * sin_) * inv_sc_, (db * cos_ - da * sin_) * inv_sh_};
  };
  std::array<Vec3, max_subset> dr{};  // ∂r/∂cᵢ
  for (std::size_t i = 0; i < s.size; ++i)
    dr[i] = chain(dxyz[i]);
  if (with_slopes)
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

void Scorer::lay_open(const BandSlopes& slopes, const Vec3& rx, const Vec3& ry, const Vec3& rz,
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

}  // namespace pigmatch::formulation
