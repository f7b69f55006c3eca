// Decoders of tokenizer.json ("decoder"): ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace,
// WordPiece, BPEDecoder, Sequence.
#pragma once

#include "common/json.h"
#include "tokenizer/pipeline.h"

namespace hone::tok {

// Builds a decoder; null JSON gives nullptr (tokens are then joined with spaces, as HF does).
std::unique_ptr<Decoder> makeDecoder(const Json& j);
// The SentencePiece decoding chain (Replace ▁ -> space, ByteFallback, Fuse, Strip one leading space).
std::unique_ptr<Decoder> makeSentencePieceDecoder(bool stripLeadingSpace);
// The byte-level decoding chain.
std::unique_ptr<Decoder> makeByteLevelDecoder();

} // namespace hone::tok
