# Part of `cmake --install` and cpack (install(SCRIPT)): writes copybench-server.service with
# ExecStart naming the binary where this install puts it, then installs it under
# lib/systemd/system. unit_in, unit_out and unit_bindir come from the install(CODE) before it.
if(IS_ABSOLUTE "${unit_bindir}")
  set(BINDIR "${unit_bindir}")
else()
  set(BINDIR "${CMAKE_INSTALL_PREFIX}/${unit_bindir}")
endif()
configure_file("${unit_in}" "${unit_out}" @ONLY)
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE FILES "${unit_out}")
