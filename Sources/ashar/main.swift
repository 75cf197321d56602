import App

try await Ashar.main()
