// Every file of the lab sees LabKit (the histogram, summaries, writers, console, errors)
// without importing it, as it saw these types when they lived in the executable.
@_exported import LabKit
