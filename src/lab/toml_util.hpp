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

}  // namespace mish::lab
