// RunServe: builds every part of the service from a validated Config and runs
// it until SIGINT/SIGTERM. Returns the process exit code.
#pragma once

#include "config/config.h"

namespace spacecrab {

int RunServe(const Config& config);

}  // namespace spacecrab
