# Install rules beyond the binary, schemas and models (which the top-level CMakeLists installs),
# and the Debian package built with `cpack -G DEB`. Included from the top-level CMakeLists.txt.
#
# Paths follow GNUInstallDirs: with CMAKE_INSTALL_PREFIX=/usr the config goes to /etc (the FULL
# sysconfdir special case), never /usr/etc. The units are installed as written; they name
# /usr/bin/newsenrichd, so a package is only built right with the /usr prefix (release preset).

set(NE_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/newsenrichd")
set(NE_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
        "Where systemd units are installed, relative to CMAKE_INSTALL_PREFIX")

# Example config: installed only where the config module provides it.
set(NE_EXAMPLE_CONFIG "${PROJECT_SOURCE_DIR}/config/newsenrichd.conf")
if(EXISTS "${NE_EXAMPLE_CONFIG}")
        install(FILES "${NE_EXAMPLE_CONFIG}" DESTINATION "${NE_CONFIG_DIR}"
                PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
if(IS_DIRECTORY "${PROJECT_SOURCE_DIR}/config/samples")
        install(DIRECTORY config/samples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/newsenrichd/samples)
endif()

install(FILES systemd/newsenrichd.service systemd/newsenrichd@.service
        DESTINATION "${NE_SYSTEMD_UNIT_DIR}")

# The man page carries the project version; Debian installs man pages gzipped (-n: no timestamp,
# so the package is reproducible).
configure_file(systemd/newsenrichd.8 "${PROJECT_BINARY_DIR}/newsenrichd.8" @ONLY)
find_program(NE_GZIP gzip)
if(NE_GZIP)
        add_custom_command(OUTPUT "${PROJECT_BINARY_DIR}/newsenrichd.8.gz"
                COMMAND "${NE_GZIP}" -9nkf "${PROJECT_BINARY_DIR}/newsenrichd.8"
                DEPENDS "${PROJECT_BINARY_DIR}/newsenrichd.8" VERBATIM)
        add_custom_target(ne_manpage ALL DEPENDS "${PROJECT_BINARY_DIR}/newsenrichd.8.gz")
        install(FILES "${PROJECT_BINARY_DIR}/newsenrichd.8.gz" DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
else()
        install(FILES "${PROJECT_BINARY_DIR}/newsenrichd.8" DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
endif()

# --- Debian package ----------------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "newsenrichd")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "newsenrichd")
set(CPACK_PACKAGE_CONTACT "newsenrichd maintainers <newsenrichd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Kafka article enrichment daemon (entities and topics)")
# CPack writes the summary as the first line and indents each line of this long text itself.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
        "newsenrichd consumes article-published events from Kafka (Avro or JSON),\n"
        "finds the named entities and topics of each article and produces enriched\n"
        "Avro events, with dead letters for input it cannot process. It runs as a\n"
        "hardened systemd notify service with a dynamic user and serves Prometheus\n"
        "metrics on loopback.")
string(JOIN "" CPACK_DEBIAN_PACKAGE_DESCRIPTION ${CPACK_DEBIAN_PACKAGE_DESCRIPTION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # newsenrichd_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
# Debian 12 runtime packages of the libraries the binary links (checked with apt-cache policy).
set(NE_DEB_DEPENDS libc6 librdkafka1 libavro23 libcjson1 libsystemd0 zlib1g)
if(MHD_FOUND)
        list(APPEND NE_DEB_DEPENDS libmicrohttpd12)
endif()
if(CURL_FOUND)
        list(APPEND NE_DEB_DEPENDS libcurl4)
endif()
list(JOIN NE_DEB_DEPENDS ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Only debhelper marks files under /etc as conffiles automatically; CPack needs the list, so
# dpkg keeps an administrator's edits on upgrade and asks before replacing them.
if(EXISTS "${NE_EXAMPLE_CONFIG}")
        file(WRITE "${PROJECT_BINARY_DIR}/debian/conffiles" "${NE_CONFIG_DIR}/newsenrichd.conf\n")
        set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${PROJECT_BINARY_DIR}/debian/conffiles")
endif()
# No maintainer scripts: DynamicUser= needs no account, and the admin enables the unit.
include(CPack)
