#include "metrics/user_symbols.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

namespace copybench {
namespace {

// A file mapped read-only for the time it takes to read its symbol tables.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const uint8_t*>(p);
        size_ = static_cast<size_t>(st.st_size);
      }
    }
    ::close(fd);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
  }
  // A T at `offset`, or nullptr when it would run past the end.
  template <typename T>
  const T* at(uint64_t offset, uint64_t count = 1) const {
    if (!data_ || offset > size_ || count > (size_ - offset) / sizeof(T)) return nullptr;
    return reinterpret_cast<const T*>(data_ + offset);
  }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Function symbols with a size from every SHT_SYMTAB and SHT_DYNSYM of an ELF64 file.
void read_elf_functions(const std::string& path, uint64_t bias, std::vector<std::pair<uint64_t, uint64_t>>& ranges,
                        std::vector<std::string>& names) {
  MappedFile file(path);
  const auto* eh = file.at<Elf64_Ehdr>(0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shentsize != sizeof(Elf64_Shdr))
    return;
  const auto* sections = file.at<Elf64_Shdr>(eh->e_shoff, eh->e_shnum);
  if (!sections) return;
  for (size_t i = 0; i < eh->e_shnum; ++i) {
    const Elf64_Shdr& s = sections[i];
    if ((s.sh_type != SHT_SYMTAB && s.sh_type != SHT_DYNSYM) || s.sh_link >= eh->e_shnum) continue;
    const Elf64_Shdr& strings = sections[s.sh_link];
    const auto* syms = file.at<Elf64_Sym>(s.sh_offset, s.sh_size / sizeof(Elf64_Sym));
    const auto* text = file.at<char>(strings.sh_offset, strings.sh_size);
    if (!syms || !text || strings.sh_size == 0) continue;
    for (size_t k = 0; k < s.sh_size / sizeof(Elf64_Sym); ++k) {
      const Elf64_Sym& sym = syms[k];
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || sym.st_size == 0 ||
          sym.st_name >= strings.sh_size || text[strings.sh_size - 1] != '\0')
        continue;
      ranges.emplace_back(bias + sym.st_value, bias + sym.st_value + sym.st_size);
      names.push_back(readable_symbol(text + sym.st_name));
    }
  }
}

// DWARF pointer encodings (LSB "Exception Frame Header"); <elf.h> does not name them.
constexpr uint8_t kPeAbsptr = 0x00, kPeUdata4 = 0x03, kPeUdata8 = 0x04, kPeSdata4 = 0x0b, kPeSdata8 = 0x0c,
                  kPeDatarel = 0x30;

// Function start addresses from a loaded .eh_frame_hdr: its binary-search table lists every
// function with unwind information, with or without a symbol. Only the usual encoding
// (datarel sdata4 pairs) is read; anything else gives no starts.
std::vector<uint64_t> eh_frame_starts(const uint8_t* hdr, uint64_t size) {
  if (size < 12 || hdr[0] != 1 || hdr[3] != (kPeDatarel | kPeSdata4)) return {};
  uint64_t offset = 4;
  switch (hdr[1] & 0x0f) {  // eh_frame_ptr, skipped
    case kPeUdata4:
    case kPeSdata4: offset += 4; break;
    case kPeAbsptr:
    case kPeUdata8:
    case kPeSdata8: offset += 8; break;
    default: return {};
  }
  if ((hdr[2] & 0x0f) != kPeUdata4 && (hdr[2] & 0x0f) != kPeSdata4) return {};
  uint32_t count = 0;
  std::memcpy(&count, hdr + offset, 4);
  offset += 4;
  if (count > (size - offset) / 8) return {};
  std::vector<uint64_t> starts(count);
  for (uint32_t i = 0; i < count; ++i) {
    int32_t initial = 0;
    std::memcpy(&initial, hdr + offset + 8 * uint64_t{i}, 4);
    starts[i] = reinterpret_cast<uint64_t>(hdr) + static_cast<uint64_t>(static_cast<int64_t>(initial));
  }
  return starts;
}

// glibc picks memcpy's implementation at load time (IFUNC); dlsym returns the pick, which has
// no exported name of its own. Asked of libc itself, not of the global scope: a sanitizer's
// runtime puts its own memcpy first there, and the real copy still runs in libc's pick.
std::map<uint64_t, std::string> ifunc_targets() {
  std::map<uint64_t, std::string> names;
  void* libc = ::dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
  for (const char* routine : {"memcpy", "memmove", "mempcpy", "memset"}) {
    if (void* p = ::dlsym(libc ? libc : RTLD_DEFAULT, routine)) {
      std::string& name = names[reinterpret_cast<uint64_t>(p)];
      name += (name.empty() ? "" : "/") + std::string(routine);
    }
  }
  if (libc) ::dlclose(libc);  // RTLD_NOLOAD took a reference; libc stays loaded
  for (auto& [address, name] : names) name += " (IFUNC target)";
  return names;
}

struct Loaded {
  std::string path, name;
  uint64_t bias = 0, start = UINT64_MAX, end = 0;
  const uint8_t* eh_frame_hdr = nullptr;
  uint64_t eh_frame_hdr_size = 0;
};

int collect(dl_phdr_info* info, size_t, void* out) {
  Loaded obj;
  obj.path = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "/proc/self/exe";
  obj.bias = info->dlpi_addr;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
      obj.start = std::min<uint64_t>(obj.start, obj.bias + ph.p_vaddr);
      obj.end = std::max<uint64_t>(obj.end, obj.bias + ph.p_vaddr + ph.p_memsz);
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      obj.eh_frame_hdr = reinterpret_cast<const uint8_t*>(obj.bias + ph.p_vaddr);
      obj.eh_frame_hdr_size = ph.p_memsz;
    }
  }
  if (obj.end > obj.start) static_cast<std::vector<Loaded>*>(out)->push_back(std::move(obj));
  return 0;
}

std::string basename_of(const std::string& path) {
  if (path == "/proc/self/exe") {
    char buf[4096];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    return n > 0 ? basename_of(std::string(buf, static_cast<size_t>(n))) : "executable";
  }
  return path.substr(path.find_last_of('/') + 1);
}

}  // namespace

std::string readable_symbol(const char* mangled) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  if (status != 0 || !demangled) return mangled;
  std::string name = demangled;
  std::free(demangled);
  for (size_t at; (at = name.find("[abi:cxx11]")) != std::string::npos;) name.erase(at, 11);  // noise in a table
  int angle = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '<') ++angle;
    else if (name[i] == '>') --angle;
    else if (name[i] == '(' && angle == 0 && name.compare(i, 20, "(anonymous namespace") != 0) return name.substr(0, i);
  }
  return name;
}

UserSymbols UserSymbols::load_self() {
  std::vector<Loaded> loaded;
  ::dl_iterate_phdr(collect, &loaded);
  const std::map<uint64_t, std::string> ifuncs = ifunc_targets();
  UserSymbols table;
  for (const Loaded& obj : loaded) {
    Object o{obj.start, obj.end, basename_of(obj.path), {}};
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    std::vector<std::string> names;
    read_elf_functions(obj.path, obj.bias, ranges, names);
    for (size_t i = 0; i < ranges.size(); ++i)
      o.functions.push_back({ranges[i].first, ranges[i].second, std::move(names[i])});
    std::sort(o.functions.begin(), o.functions.end(),
              [](const Function& a, const Function& b) { return a.start < b.start; });
    const size_t named = o.functions.size();
    auto covered = [&](uint64_t address) {
      auto it = std::upper_bound(o.functions.begin(), o.functions.begin() + static_cast<std::ptrdiff_t>(named), address,
                                 [](uint64_t a, const Function& f) { return a < f.start; });
      return it != o.functions.begin() && address < std::prev(it)->end;
    };
    if (obj.eh_frame_hdr) {
      for (uint64_t start : eh_frame_starts(obj.eh_frame_hdr, obj.eh_frame_hdr_size)) {
        if (start < o.start || start >= o.end || covered(start)) continue;
        auto ifunc = ifuncs.find(start);
        o.functions.push_back(
            {start, 0, ifunc != ifuncs.end() ? ifunc->second : fmt::format("{}+0x{:x}", o.name, start - obj.bias)});
      }
    }
    std::stable_sort(o.functions.begin(), o.functions.end(),
                     [](const Function& a, const Function& b) { return a.start < b.start; });
    table.objects_.push_back(std::move(o));
  }
  return table;
}

const std::string& UserSymbols::find(uint64_t address) const {
  static const std::string unknown = "[unknown user address]";
  for (const Object& o : objects_) {
    if (address < o.start || address >= o.end) continue;
    auto it = std::upper_bound(o.functions.begin(), o.functions.end(), address,
                               [](uint64_t a, const Function& f) { return a < f.start; });
    if (it == o.functions.begin()) return o.name;
    const Function& f = *std::prev(it);
    return f.end == 0 || address < f.end ? f.name : o.name;
  }
  return unknown;
}

size_t UserSymbols::size() const {
  size_t n = 0;
  for (const Object& o : objects_) n += o.functions.size();
  return n;
}

}  // namespace copybench
