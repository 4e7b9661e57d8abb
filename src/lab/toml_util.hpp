// Parsing TOML text with errors as std::invalid_argument("source:line:col: why").
#pragma once

#include <toml++/toml.h>

#include <sstream>
#include <stdexcept>
#include <string>

namespace mish::lab {

inline toml::table parse_toml(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw std::invalid_argument(os.str());
  }
}

// Sets t[key] from command-line text: a TOML value as written (number,
// boolean, array, quoted string), and any other text as a string.
inline void set_from_text(toml::table& t, const std::string& key, const std::string& text) {
  toml::table v;
  try {
    v = toml::parse("v = " + text);
  } catch (const toml::parse_error&) {
    v.insert_or_assign("v", text);
  }
  t.insert_or_assign(key, *v.get("v"));
}

}  // namespace mish::lab
