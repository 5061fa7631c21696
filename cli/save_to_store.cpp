#include "save_to_store.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "command.h"
#include "measured_regions.h"
#include "pigmatch/error.h"
#include "store_common.h"

namespace pigmatch::cli {

std::shared_ptr<SaveOptions> add_save_options(CLI::App* command, bool measurement) {
  auto options = std::make_shared<SaveOptions>();
  const std::string what = measurement ? "the measured colours" : "the best recipe";
  command->add_option("--client", options->client,
                      "with --save: the client (an id from 'pigmatch client list')");
  command->add_flag("--save", options->save,
                    fmt::format("save {} into the client's latest visit (or --visit)", what));
  command->add_option("--visit", options->visit,
                      "with --save: the visit to save into (default: the client's latest)");
  if (measurement) {
    command
        ->add_option("--kind", options->kind,
                     "with --save: skin (default: a plain region is skin, a stubble region "
                     "its skin and hair) or healed (a plain region, or a stubble region's "
                     "dots, is the healed result of earlier work)")
        ->check(CLI::IsMember({"skin", "healed"}));
  } else {
    command->add_option("--lot", options->lots,
                        "with --save: CODE=LOT, the lot of a pigment's bottle (repeatable)");
  }
  add_db_option(command, options->db);
  return options;
}

store::Id resolve_visit(store::Store& store, store::Id client, std::optional<store::Id> visit) {
  if (visit) {
    // The store would refuse another client's visit only at insert time; say it before the work.
    const store::ClientRecord record = store.client_record(client);
    for (const store::Visit& v : record.visits) {
      if (v.id == *visit)
        return v.id;
    }
    throw Error(ErrorCode::not_found,
                fmt::format("client {} has no visit {}; 'pigmatch client show {}' lists the "
                            "visits, 'pigmatch visit add {}' adds one",
                            client, *visit, client, client));
  }
  const std::optional<store::Visit> latest = store.latest_visit(client);
  if (!latest) {
    throw Error(ErrorCode::not_found,
                fmt::format("client {} has no visit to save into; add one with 'pigmatch visit "
                            "add {} --kind initial --date YYYY-MM-DD'",
                            client, client));
  }
  return latest->id;
}

std::optional<SaveTarget> prepare_save(const SaveOptions& o) {
  if (!o.save) {
    if (!o.client.empty() || !o.visit.empty() || !o.kind.empty() || !o.lots.empty()) {
      throw UsageError("--client, --visit, --kind and --lot say what --save writes; add --save");
    }
    return std::nullopt;
  }
  if (o.client.empty())
    throw UsageError("--save needs the client: --client ID (see 'pigmatch client list')");
  const store::Id client = parse_id(o.client, "--client");
  const std::optional<store::Id> visit =
      o.visit.empty() ? std::nullopt : std::optional<store::Id>(parse_id(o.visit, "--visit"));
  store::Store store = open_store(o.db, DbAccess::existing);
  (void)store.client(client);  // throws not_found with the way to list clients
  const store::Id visit_id = resolve_visit(store, client, visit);
  return SaveTarget{std::move(store), client, visit_id, o.lots};
}

std::string file_sha256(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return {};
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (context == nullptr || EVP_DigestInit_ex(context, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(context);
    return {};
  }
  std::array<char, 1 << 16> buffer{};
  bool ok = true;
  while (ok && in) {
    in.read(buffer.data(), buffer.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    ok = n == 0 || EVP_DigestUpdate(context, buffer.data(), n) == 1;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  ok = ok && in.eof() && EVP_DigestFinal_ex(context, digest.data(), &length) == 1;
  EVP_MD_CTX_free(context);
  if (!ok)
    return {};
  std::string hex;
  for (unsigned int i = 0; i < length; ++i)
    hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

void record_photo(store::Measurement& m, const std::string& image) {
  if (image.empty())
    return;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(image, ec);
  m.photo_path = ec ? image : absolute.string();
  m.photo_sha256 = file_sha256(image);
}

void save_measurements(SaveTarget& target, const nlohmann::ordered_json& measure,
                       const std::string& kind) {
  const MeasuredPhoto photo = parse_measure_json(measure, "the measurement");
  const bool healed = kind == "healed";
  store::Measurement base;
  base.client_id = target.client;
  base.visit_id = target.visit;
  base.calibration_de00 = photo.calibration_de00;
  record_photo(base, photo.image);
  std::vector<store::Measurement> rows;
  const auto add = [&](const MeasuredRegion& r, store::MeasurementKind k, const Lab& lab) {
    store::Measurement m = base;
    m.kind = k;
    m.region = r.name;
    m.lab = lab;
    rows.push_back(std::move(m));
  };
  for (const MeasuredRegion& r : photo.regions) {
    if (!r.stubble) {
      add(r, healed ? store::MeasurementKind::healed : store::MeasurementKind::skin, r.lab_d50);
    } else if (healed) {
      if (!r.hair_d50) {
        throw Error(ErrorCode::unsupported,
                    fmt::format("region '{}': no dots were told apart from the skin, so there is "
                                "no healed colour to save; nothing was saved. Measure a region "
                                "with visible dots",
                                r.name));
      }
      add(r, store::MeasurementKind::healed, *r.hair_d50);
    } else {
      add(r, store::MeasurementKind::skin, r.lab_d50);
      if (r.hair_d50) {
        add(r, store::MeasurementKind::hair, *r.hair_d50);
      } else {
        fmt::print(stderr,
                   "pigmatch: warning: region '{}': no hair told apart; only its skin is saved\n",
                   r.name);
      }
    }
  }
  const std::vector<store::Id> ids = target.store.add_measurements(rows);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    fmt::print(stderr, "pigmatch: saved measurement #{} ({} of {}, {}) for client {}, visit {}\n",
               ids[i], store::to_string(rows[i].kind), rows[i].region, lab_text(rows[i].lab),
               target.client, target.visit);
  }
}

void save_recipe(SaveTarget& target, store::Formula formula) {
  formula.client_id = target.client;
  formula.visit_id = target.visit;
  for (const std::string& assignment : target.lots)
    apply_lot(formula, assignment);
  const store::Id id = target.store.save_formula(formula);
  fmt::print(stderr, "pigmatch: saved the best recipe as formula #{} for client {}, visit {}\n", id,
             target.client, target.visit);
}

}  // namespace pigmatch::cli
