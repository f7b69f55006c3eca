// libFuzzer target: dataset files (JSONL, JSON arrays, CSV) through reading, detection and every conversion.
#include "common/error.h"
#include "data/dataset_format.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const char* exts[] = {".jsonl", ".json", ".csv", ""};
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        auto raw = hone::data::readDatasetText(text, "fuzz", exts[data[0] % 4]);
        hone::data::detectFormat(raw);
        for (auto f : {hone::data::DatasetFormat::Alpaca, hone::data::DatasetFormat::ShareGpt,
                       hone::data::DatasetFormat::OpenAiMessages, hone::data::DatasetFormat::Text,
                       hone::data::DatasetFormat::PromptCompletion})
            hone::data::convert(raw, f);
    } catch (const hone::Error&) {
        // rejected with a message: fine
    }
    return 0;
}
