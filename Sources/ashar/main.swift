import App
import Foundation

// A command that fails (a wrong argument, a database that cannot be reached) has said why in the log:
// it ends with status 1, not with a crash report.
do {
    try await Ashar.main()
} catch {
    exit(1)
}
