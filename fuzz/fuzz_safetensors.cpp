// libFuzzer target: the safetensors header validator; accepted tensors are read end to end.
#include "common/error.h"
#include "model/safetensors_file.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        auto f = hone::SafetensorsFile::fromMemory(data, size, "fuzz.safetensors");
        volatile std::uint8_t sink = 0;
        for (const auto& t : f.tensors()) {
            (void)t.elements();
            for (std::uint64_t i = 0; i < t.nbytes(); i += 61)
                sink = static_cast<std::uint8_t>(sink ^ t.data[i]);
            if (t.nbytes()) sink = static_cast<std::uint8_t>(sink ^ t.data[t.nbytes() - 1]);
        }
    } catch (const hone::Error&) {
    }
    return 0;
}
