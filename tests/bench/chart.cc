// A tiny chart renderer for the benchmark: RGB raster, lines, markers, a 5x7 bitmap font, and
// a PNG encoder with stored (uncompressed) deflate blocks — no image library needed.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/io/crc32.h"
#include "tests/bench/bench.h"

namespace sdndb::bench {

namespace {

// 5x7 glyphs, one byte per row, bit 4 = leftmost column.
struct Glyph {
  char c;
  uint8_t rows[7];
};
const Glyph kFont[] = {
    {'0', {14, 17, 19, 21, 25, 17, 14}}, {'1', {4, 12, 4, 4, 4, 4, 14}},     {'2', {14, 17, 1, 2, 4, 8, 31}},
    {'3', {31, 2, 4, 2, 1, 17, 14}},     {'4', {2, 6, 10, 18, 31, 2, 2}},    {'5', {31, 16, 30, 1, 1, 17, 14}},
    {'6', {6, 8, 16, 30, 17, 17, 14}},   {'7', {31, 1, 2, 4, 8, 8, 8}},      {'8', {14, 17, 17, 14, 17, 17, 14}},
    {'9', {14, 17, 17, 15, 1, 2, 12}},   {'a', {0, 0, 14, 1, 15, 17, 15}},   {'b', {16, 16, 22, 25, 17, 17, 30}},
    {'c', {0, 0, 14, 16, 16, 17, 14}},   {'d', {1, 1, 13, 19, 17, 17, 15}},  {'e', {0, 0, 14, 17, 31, 16, 14}},
    {'f', {6, 9, 8, 28, 8, 8, 8}},       {'g', {0, 15, 17, 17, 15, 1, 14}},  {'h', {16, 16, 22, 25, 17, 17, 17}},
    {'i', {4, 0, 12, 4, 4, 4, 14}},      {'j', {2, 0, 6, 2, 2, 18, 12}},     {'k', {16, 16, 18, 20, 24, 20, 18}},
    {'l', {12, 4, 4, 4, 4, 4, 14}},      {'m', {0, 0, 26, 21, 21, 17, 17}},  {'n', {0, 0, 22, 25, 17, 17, 17}},
    {'o', {0, 0, 14, 17, 17, 17, 14}},   {'p', {0, 0, 30, 17, 30, 16, 16}},  {'q', {0, 0, 13, 19, 15, 1, 1}},
    {'r', {0, 0, 22, 25, 16, 16, 16}},   {'s', {0, 0, 14, 16, 14, 1, 30}},   {'t', {8, 8, 28, 8, 8, 9, 6}},
    {'u', {0, 0, 17, 17, 17, 19, 13}},   {'v', {0, 0, 17, 17, 17, 10, 4}},   {'w', {0, 0, 17, 17, 21, 21, 10}},
    {'x', {0, 0, 17, 10, 4, 10, 17}},    {'y', {0, 0, 17, 17, 15, 1, 14}},   {'z', {0, 0, 31, 2, 4, 8, 31}},
    {'(', {2, 4, 8, 8, 8, 4, 2}},        {')', {8, 4, 2, 2, 2, 4, 8}},       {'/', {0, 1, 2, 4, 8, 16, 0}},
    {'-', {0, 0, 0, 31, 0, 0, 0}},       {'.', {0, 0, 0, 0, 0, 12, 12}},     {',', {0, 0, 0, 0, 12, 4, 8}},
    {':', {0, 12, 12, 0, 12, 12, 0}},    {'=', {0, 0, 31, 0, 31, 0, 0}},     {'<', {2, 4, 8, 16, 8, 4, 2}},
    {'>', {8, 4, 2, 1, 2, 4, 8}},        {'%', {24, 25, 2, 4, 8, 19, 3}},    {'+', {0, 4, 4, 31, 4, 4, 0}},
};

const uint8_t* GlyphFor(char c) {
  if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (const auto& g : kFont)
    if (g.c == c) return g.rows;
  return nullptr;  // space and unknown characters: blank
}

class Canvas {
 public:
  Canvas(int w, int h) : w_(w), h_(h), px_(static_cast<size_t>(w) * h * 3, 255) {}
  int width() const { return w_; }
  int height() const { return h_; }

  void Set(int x, int y, uint32_t rgb) {
    if (x < 0 || y < 0 || x >= w_ || y >= h_) return;
    uint8_t* p = &px_[(static_cast<size_t>(y) * w_ + x) * 3];
    p[0] = static_cast<uint8_t>(rgb >> 16), p[1] = static_cast<uint8_t>(rgb >> 8), p[2] = static_cast<uint8_t>(rgb);
  }
  void Rect(int x0, int y0, int x1, int y1, uint32_t rgb) {
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) Set(x, y, rgb);
  }
  // A line `thick` pixels wide (square pen).
  void Line(double x0, double y0, double x1, double y1, uint32_t rgb, int thick) {
    const int steps = static_cast<int>(std::max(std::fabs(x1 - x0), std::fabs(y1 - y0))) + 1;
    for (int i = 0; i <= steps; ++i) {
      double t = static_cast<double>(i) / steps;
      int x = static_cast<int>(std::lround(x0 + (x1 - x0) * t)), y = static_cast<int>(std::lround(y0 + (y1 - y0) * t));
      Rect(x - thick / 2, y - thick / 2, x + (thick - 1) / 2, y + (thick - 1) / 2, rgb);
    }
  }
  void Dot(double cx, double cy, int r, uint32_t rgb) {
    for (int dy = -r; dy <= r; ++dy)
      for (int dx = -r; dx <= r; ++dx)
        if (dx * dx + dy * dy <= r * r) Set(static_cast<int>(cx) + dx, static_cast<int>(cy) + dy, rgb);
  }
  // Text with its top-left corner at (x, y), each font pixel `scale` pixels wide.
  void Text(int x, int y, const std::string& s, uint32_t rgb, int scale = 2) {
    for (char c : s) {
      if (const uint8_t* g = GlyphFor(c)) {
        const int y0 = y;  // descenders fit inside the 7 rows
        for (int row = 0; row < 7; ++row)
          for (int col = 0; col < 5; ++col)
            if (g[row] & (16 >> col))
              Rect(x + col * scale, y0 + row * scale, x + col * scale + scale - 1, y0 + row * scale + scale - 1, rgb);
      }
      x += 6 * scale;
    }
  }
  static int TextWidth(const std::string& s, int scale = 2) { return static_cast<int>(s.size()) * 6 * scale; }

  std::string EncodePng() const {
    std::string raw;  // filter byte 0 + RGB per row
    raw.reserve(static_cast<size_t>(h_) * (w_ * 3 + 1));
    for (int y = 0; y < h_; ++y) {
      raw.push_back('\0');
      raw.append(reinterpret_cast<const char*>(&px_[static_cast<size_t>(y) * w_ * 3]), static_cast<size_t>(w_) * 3);
    }
    std::string z = "\x78\x01";  // zlib header: deflate, no compression
    for (size_t off = 0; off < raw.size() || off == 0; off += 65535) {
      const size_t len = std::min<size_t>(65535, raw.size() - off);
      const bool last = off + len >= raw.size();
      z.push_back(last ? '\x01' : '\x00');
      z.push_back(static_cast<char>(len & 0xff));
      z.push_back(static_cast<char>(len >> 8));
      z.push_back(static_cast<char>(~len & 0xff));
      z.push_back(static_cast<char>((~len >> 8) & 0xff));
      z.append(raw, off, len);
      if (last) break;
    }
    uint32_t a = 1, b = 0;  // Adler-32
    for (unsigned char c : raw) {
      a = (a + c) % 65521;
      b = (b + a) % 65521;
    }
    AppendU32(&z, (b << 16) | a);

    std::string png = "\x89PNG\r\n\x1a\n";
    std::string ihdr;
    AppendU32(&ihdr, static_cast<uint32_t>(w_));
    AppendU32(&ihdr, static_cast<uint32_t>(h_));
    ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no filter, no interlace
    Chunk(&png, "IHDR", ihdr);
    Chunk(&png, "IDAT", z);
    Chunk(&png, "IEND", "");
    return png;
  }

 private:
  static void AppendU32(std::string* s, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s->push_back(static_cast<char>((v >> shift) & 0xff));
  }
  static void Chunk(std::string* png, const char* type, const std::string& data) {
    AppendU32(png, static_cast<uint32_t>(data.size()));
    std::string body = std::string(type, 4) + data;
    png->append(body);
    AppendU32(png, Crc32(body));
  }
  int w_, h_;
  std::vector<uint8_t> px_;
};

std::string Label(double v) {
  char buf[32];
  if (v >= 1) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void DrawPanel(Canvas& c, int left, int top, int width, int height, const Panel& p, const std::string& x_label) {
  const uint32_t kAxis = 0x333333, kGrid = 0xdddddd;
  const int pl = left + 70, pr = left + width - 20, pt = top + 40, pb = top + height - 60;
  c.Text(left + (width - Canvas::TextWidth(p.title)) / 2, top + 10, p.title, 0x000000);
  // Ranges: x over the process counts (log2), y log10 over decades covering the data.
  double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
  for (const auto& s : p.series) {
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      xmin = std::min(xmin, s.x[i]), xmax = std::max(xmax, s.x[i]);
      if (s.y[i] > 0) ymin = std::min(ymin, s.y[i]), ymax = std::max(ymax, s.y[i]);
    }
  }
  if (xmin > xmax) xmin = 1, xmax = 8;
  if (ymin > ymax) ymin = 1, ymax = 10;
  const double lx0 = std::log2(xmin), lx1 = std::max(std::log2(xmax), lx0 + 1);
  const double ly0 = std::floor(std::log10(ymin)), ly1 = std::max(std::ceil(std::log10(ymax)), ly0 + 1);
  auto X = [&](double x) { return pl + (std::log2(x) - lx0) / (lx1 - lx0) * (pr - pl); };
  auto Y = [&](double y) { return pb - (std::log10(y) - ly0) / (ly1 - ly0) * (pb - pt); };
  for (double d = ly0; d <= ly1 + 1e-9; d += 1) {
    for (int m = 2; m <= 9 && d < ly1; ++m) c.Line(pl, Y(m * std::pow(10, d)), pr, Y(m * std::pow(10, d)), 0xf0f0f0, 1);
    const double y = Y(std::pow(10, d));
    c.Line(pl, y, pr, y, kGrid, 1);
    const std::string l = Label(std::pow(10, d));
    c.Text(pl - 8 - Canvas::TextWidth(l), static_cast<int>(y) - 7, l, kAxis);
  }
  for (double e = std::ceil(lx0); e <= lx1 + 1e-9; e += 1) {
    const double v = std::pow(2, e), x = X(v);
    c.Line(x, pt, x, pb, kGrid, 1);
    const std::string l = Label(v);
    c.Text(static_cast<int>(x) - Canvas::TextWidth(l) / 2, pb + 8, l, kAxis);
  }
  c.Line(pl, pt, pl, pb, kAxis, 2);
  c.Line(pl, pb, pr, pb, kAxis, 2);
  c.Text(pl + (pr - pl - Canvas::TextWidth(x_label)) / 2, pb + 30, x_label, kAxis);
  for (const auto& s : p.series) {
    double px = 0, py = 0;
    bool have = false;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (s.y[i] <= 0) {
        have = false;
        continue;
      }
      const double x = X(s.x[i]), y = Y(s.y[i]);
      if (have) c.Line(px, py, x, y, s.rgb, 3);
      c.Dot(x, y, 5, s.rgb);
      px = x, py = y, have = true;
    }
  }
}

}  // namespace

Status WriteChartPng(const std::string& path, const std::vector<Panel>& panels, const std::string& x_label) {
  const int panel_w = 560, panel_h = 420, legend_h = 40;
  Canvas c(panel_w * static_cast<int>(std::max<size_t>(1, panels.size())), panel_h + legend_h);
  for (size_t i = 0; i < panels.size(); ++i)
    DrawPanel(c, static_cast<int>(i) * panel_w, 0, panel_w, panel_h, panels[i], x_label);
  if (!panels.empty()) {  // one legend for all panels (they share the series)
    int x = 20;
    for (const auto& s : panels[0].series) {
      c.Rect(x, panel_h + 12, x + 24, panel_h + 16, s.rgb);
      c.Text(x + 32, panel_h + 7, s.name, 0x000000);
      x += 32 + Canvas::TextWidth(s.name) + 30;
    }
  }
  const std::string png = c.EncodePng();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Status::FromErrno("open " + path, errno);
  const bool ok = std::fwrite(png.data(), 1, png.size(), f) == png.size();
  if (std::fclose(f) != 0 || !ok) return Status::IOError("write " + path + " failed");
  return Status::OK();
}

}  // namespace sdndb::bench
