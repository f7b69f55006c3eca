// libFuzzer target: the GGUF container parser and every typed getter / dequantiser on whatever it accepts.
#include "common/error.h"
#include "model/ggml_dequant.h"
#include "model/gguf_file.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        auto f = hone::GgufFile::fromMemory(data, size, "fuzz.gguf");
        for (const auto& k : f.keys()) {
            const auto& v = f.value(k);
            try {
                if (v.type == hone::GgufType::Array) {
                    if (v.elemType == hone::GgufType::String)
                        (void)f.getStringArray(k);
                    else {
                        (void)f.getF32Array(k);
                        (void)f.getI32Array(k);
                    }
                } else if (v.type == hone::GgufType::String) {
                    (void)f.getString(k);
                } else {
                    (void)f.getF64(k);
                    (void)f.getU64(k);
                    (void)f.getI64(k);
                }
            } catch (const hone::Error&) {
            }
        }
        for (const auto& t : f.tensors()) {
            if (hone::ggmlCanDequantize(t.type) && t.elements <= (1u << 20)) (void)hone::dequantize(t);
        }
    } catch (const hone::Error&) {
    }
    return 0;
}
