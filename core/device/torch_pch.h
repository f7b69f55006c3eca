// Precompiled header for every hone_engine translation unit: the lightest torch headers that give tensors,
// autograd and nn::Linear (a torch TU costs ~15 s to compile on 2 cores; with this PCH ~4-7 s).
#pragma once

#include <torch/nn/modules/linear.h>
#include <torch/version.h>

#include <string>
#include <vector>
