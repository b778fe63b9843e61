#pragma once
// This process's own code addresses to function names, for the user-mode samples of its
// threads (a side samples only itself, so its addresses are its own). Cheap enough to build
// before a test: the executable's and each library's ELF symbol tables (.symtab, .dynsym) read
// from their files, plus, for functions without a symbol (a stripped libc's internal ones), the
// function starts of the loaded .eh_frame_hdr. The copy routines that glibc picks at run time
// (IFUNC: memcpy is __memmove_avx_unaligned_erms or another, unexported) are named after the
// symbol they were picked for, so a user-space copy shows as "memcpy/memmove (IFUNC target)".
#include <cstdint>
#include <string>
#include <vector>

namespace copybench {

class UserSymbols {
 public:
  /// The objects loaded in this process now (dl_iterate_phdr).
  static UserSymbols load_self();

  /// "copybench::Pack::send", "memcpy/memmove (IFUNC target)", "libc.so.6+0x9a3c0" (a function
  /// with no symbol) or "[unknown user address]".
  const std::string& find(uint64_t address) const;

  size_t size() const;  // functions known, for tests

 private:
  struct Function {
    uint64_t start = 0, end = 0;  // end 0: unknown (a start from .eh_frame_hdr)
    std::string name;
  };
  struct Object {
    uint64_t start = 0, end = 0;      // its executable segments
    std::string name;                 // basename
    std::vector<Function> functions;  // ascending start
  };
  std::vector<Object> objects_;
};

/// A demangled C++ name without its parameter list ("ns::Class::fn"), or `mangled` itself.
std::string readable_symbol(const char* mangled);

}  // namespace copybench
