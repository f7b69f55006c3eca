// Per-thread cache of word -> token ids for the BPE model (most words of real text repeat): open addressing
// over a byte arena, no per-entry allocation; stops inserting when full.
#pragma once

#include "tokenizer/pipeline.h"

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace hone::tok {

class WordCache : public ModelCache {
public:
    explicit WordCache(std::size_t slots = 1 << 15)
        : slots_(slots)
        , mask_(slots - 1) {}

    // Appends the cached ids of `word` to out and returns true, or returns false.
    bool get(std::string_view word, std::vector<int32_t>& out) const {
        const uint64_t h = hash(word);
        for (uint64_t p = h & mask_;; p = (p + 1) & mask_) {
            const Slot& s = slots_[p];
            if (s.len == 0 && s.nIds == 0 && s.hash == 0) return false;
            if (s.hash == h && s.len == word.size() &&
                std::memcmp(bytes_.data() + s.off, word.data(), word.size()) == 0) {
                out.insert(out.end(), ids_.begin() + s.idsOff, ids_.begin() + s.idsOff + s.nIds);
                return true;
            }
        }
    }
    void put(std::string_view word, const int32_t* ids, std::size_t n) {
        if (used_ * 4 >= slots_.size() * 3 || word.size() > 256 || n > 0xFFFF) return;
        const uint64_t h = hash(word);
        uint64_t p = h & mask_;
        while (!(slots_[p].len == 0 && slots_[p].nIds == 0 && slots_[p].hash == 0)) p = (p + 1) & mask_;
        slots_[p] = Slot{h, static_cast<uint32_t>(bytes_.size()), static_cast<uint32_t>(ids_.size()),
                         static_cast<uint16_t>(word.size()), static_cast<uint16_t>(n)};
        bytes_.insert(bytes_.end(), word.begin(), word.end());
        ids_.insert(ids_.end(), ids, ids + n);
        ++used_;
    }
    std::vector<int32_t> scratch; // merge working space

private:
    static uint64_t hash(std::string_view s) {
        uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * 0x100000001b3ULL);
        for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
        h ^= h >> 31;
        return h | 1; // never 0: 0 marks an empty slot
    }
    struct Slot {
        uint64_t hash = 0;
        uint32_t off = 0, idsOff = 0;
        uint16_t len = 0, nIds = 0;
    };
    std::vector<Slot> slots_;
    uint64_t mask_;
    std::size_t used_ = 0;
    std::vector<char> bytes_;
    std::vector<int32_t> ids_;
};

} // namespace hone::tok
