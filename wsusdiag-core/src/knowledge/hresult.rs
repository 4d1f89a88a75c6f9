//! The Windows Update HRESULT table and its lookup.
