// Jinja2 lexer: splits template text into text/tag/expression tokens, applying Jinja2's whitespace control
// (`-`/`+` markers, trim_blocks, lstrip_blocks, dropping one trailing newline) exactly as Jinja2's lexer
// does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hone::jinja {

enum class Tok { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };

struct Token {
    Tok type;
    std::string value; // text, name, decoded string, number literal, or operator
    size_t offset = 0; // byte offset in the source, for line:column in errors
};

struct LexOptions {
    bool trimBlocks = true;
    bool lstripBlocks = true;
    bool keepTrailingNewline = false;
};

// Line and column (1-based) of a byte offset.
struct SourcePos {
    int line = 1;
    int column = 1;
};
SourcePos sourcePos(std::string_view source, size_t offset);
// "line L, column C" for error messages.
std::string where(std::string_view source, size_t offset);

// Jinja2 normalises newlines to \n and (unless keepTrailingNewline) drops one trailing newline before lexing.
std::string normalizeSource(std::string_view source, const LexOptions& options = {});
// Tokenizes a normalized source. Throws hone::Error with line and column on malformed input (unterminated
// tags or strings, bad characters).
std::vector<Token> tokenize(std::string_view normalized, const LexOptions& options = {});

} // namespace hone::jinja
