// CRC-32 (ISO-HDLC, as zlib/gzip: crc("123456789") = 3421780262) and the "#sdn-crc32:" seal of
// the Simple project: first line "#sdn-crc32:<decimal>", checksum over everything after that line.
// Blanks around the number (`#sdn-crc32: 123`) are accepted and kept as found when resealing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sdndb {

uint32_t Crc32(std::string_view data, uint32_t crc = 0);

// True when text's first line is a "#sdn-crc32:" seal line.
bool HasCrcSeal(std::string_view text);
// Corruption naming `file` when the seal does not match the body; OK when it matches or absent.
Status VerifyCrcSeal(std::string_view text, const std::string& file);
// Returns text with its seal line recomputed, keeping the seal line's line ending. Text without
// a seal gets one added in front (with the line ending of its first line); nothing else changes.
std::string ResealCrc(std::string_view text);

}  // namespace sdndb
