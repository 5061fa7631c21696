// ICC profiles made by Little CMS, as the bytes a photo or a file carries. Test support: the one
// place tests serialise a profile.
#pragma once

#include <lcms2.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace pigmatch::test {

/// The profile serialised; closes it. Throws when Little CMS cannot (or `profile` is null).
inline std::vector<std::uint8_t> profile_bytes(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  if (profile == nullptr || !cmsSaveProfileToMem(profile, nullptr, &size)) {
    if (profile != nullptr)
      cmsCloseProfile(profile);
    throw std::runtime_error("Little CMS could not serialise the profile");
  }
  std::vector<std::uint8_t> bytes(size);
  const bool saved = cmsSaveProfileToMem(profile, bytes.data(), &size) != 0;
  cmsCloseProfile(profile);
  if (!saved)
    throw std::runtime_error("Little CMS could not serialise the profile");
  return bytes;
}

/// The sRGB profile as Little CMS makes it (what the test photos embed).
inline std::vector<std::uint8_t> srgb_profile_bytes() {
  return profile_bytes(cmsCreate_sRGBProfile());
}

}  // namespace pigmatch::test
