// The C++ API's out-of-line parts: Spec parsing and listing.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "mish/activations.hpp"
#include "registry.hpp"

namespace mish {
namespace {

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  throw Error(MISH_ERR_BAD_PARAM, "bad activation '" + text + "': " + why);
}

std::string known_names() {
  std::string s;
  for (const auto& a : detail::registry()) s += std::string(s.empty() ? "" : ", ") + a.name;
  return s + ", silu";
}

// Edit distance, to suggest the name a user probably meant.
size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

double parse_number(const std::string& text, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size() || errno == ERANGE) {
    bad(text, "'" + value + "' is not a number");
  }
  return v;
}

}  // namespace

void check(int status) {
  if (status != MISH_OK) {
    const std::string detail = mish_last_error();
    throw Error(status, detail.empty() ? mish_strerror(status) : detail);
  }
}

Spec::Spec(mish_activation act) : Spec(act, {}) {}

Spec::Spec(mish_activation act, std::vector<double> values) : id(act) {
  if (static_cast<unsigned>(act) >= static_cast<unsigned>(MISH_ACT_COUNT)) {
    throw Error(MISH_ERR_BAD_ACTIVATION, "activation id " + std::to_string(static_cast<int>(act)) + " is out of range");
  }
  const auto& info = detail::registry()[act];
  scalar::Params p;
  std::string why;
  if (int s = detail::make_params(act, values.data(), values.size(), p, why)) throw Error(s, why);
  params.assign(p.p, p.p + info.params.size());
}

Spec Spec::parse(const std::string& text) {
  const size_t colon = text.find(':');
  std::string name = text.substr(0, colon);
  std::vector<std::pair<std::string, std::string>> args;  // (key or "", value)
  if (colon != std::string::npos) {
    std::stringstream ss(text.substr(colon + 1));
    std::string item;
    while (std::getline(ss, item, ',')) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos) args.emplace_back("", item);
      else args.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
  }
  if (name == "silu") {
    if (!args.empty()) bad(text, "silu takes no parameters (it is swish with beta=1)");
    name = "swish";
  }
  mish_activation act;
  if (mish_act_from_name(name.c_str(), &act) != MISH_OK) {
    std::string best;
    size_t best_d = 3;
    for (const auto& a : detail::registry()) {
      const size_t d = distance(name, a.name);
      if (d < best_d) best_d = d, best = a.name;
    }
    throw Error(MISH_ERR_UNKNOWN_NAME, "unknown activation '" + name + "'" +
                                           (best.empty() ? "" : " (did you mean '" + best + "'?)") +
                                           "; known: " + known_names());
  }
  const auto& info = detail::registry()[act];
  std::vector<double> values;
  for (const auto& pi : info.params) values.push_back(pi.default_value);
  std::vector<bool> given(info.params.size(), false);
  size_t positional = 0;
  for (const auto& [key, value] : args) {
    size_t k = positional;
    if (!key.empty()) {
      k = info.params.size();
      for (size_t j = 0; j < info.params.size(); ++j) {
        if (info.params[j].name == key) k = j;
      }
      if (k == info.params.size()) {
        std::string names;
        for (const auto& pi : info.params) names += " " + pi.name;
        bad(text, info.params.empty() ? std::string(info.name) + " takes no parameters"
                                      : "no parameter '" + key + "'; " + info.name + " takes:" + names);
      }
    } else {
      ++positional;
      if (k >= info.params.size()) {
        bad(text, std::string(info.name) + " takes " + std::to_string(info.params.size()) + " parameter(s)");
      }
    }
    if (given[k]) bad(text, "parameter '" + info.params[k].name + "' given twice");
    given[k] = true;
    values[k] = parse_number(text, value);
  }
  return Spec(act, values);
}

const char* Spec::name() const { return mish_act_name(id); }

std::string Spec::str() const {
  std::ostringstream os;
  os.precision(17);
  os << name();
  const auto& info = detail::registry()[id];
  for (size_t k = 0; k < params.size(); ++k) os << (k ? ',' : ':') << info.params[k].name << '=' << params[k];
  return os.str();
}

std::vector<std::string> activation_names() {
  std::vector<std::string> v;
  for (const auto& a : detail::registry()) v.emplace_back(a.name);
  return v;
}

std::vector<std::string> simd_targets() {
  std::vector<std::string> v;
  for (int i = 0; i < mish_simd_target_count(); ++i) v.emplace_back(mish_simd_target_name(i));
  return v;
}

}  // namespace mish
