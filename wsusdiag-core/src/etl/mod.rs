//! Windows Update `.etl` traces (ETW TraceLogging), read without Windows.
