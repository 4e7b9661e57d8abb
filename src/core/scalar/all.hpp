// Every scalar formula, for code that expands the registry.
#pragma once

#include "mish.hpp"
#include "rectifiers.hpp"
#include "smooth.hpp"
#include "variants.hpp"
