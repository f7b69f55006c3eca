# Packaging: `cpack -G DEB` (from the build folder) builds a Debian package with hone-studio, hone, a .desktop
# entry and the icon. Library dependencies are computed by dpkg-shlibdeps; OpenBLAS (OpenMP) is added because
# LibTorch only links the libblas.so.3 alternative and reference BLAS is ~30x slower.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/hone-studio.desktop DESTINATION share/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/hone.svg DESTINATION share/icons/hicolor/scalable/apps)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "hone")
set(CPACK_PACKAGE_VENDOR "Hone")
set(CPACK_PACKAGE_CONTACT "Hone developers <hone@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Fine-tune and chat with open LLMs (LoRA, GGUF export, tool calling)")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp, libqt6sql6-sqlite")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://localhost/hone")
include(CPack)
