@_spi(Reflection) import Swift
import FluentKit
import Synchronization

/// A model's Fluent properties, found without `Mirror`. Fluent asks a model for its properties several
/// times for every row it reads or writes, and by default walks the instance with reflection each time,
/// decoding each field's type from its mangled name anew: a sixth of the server's time on a simple read
/// (docs/PERFORMANCE.md, "Fluent's reflection, once per model type"). Where a property sits in a model is
/// the same for every instance of its type, so it is found once per type and read straight from there.
///
/// A model's file must `import AsharNetwork` for this to be its `properties`; without it Fluent's own
/// reflection is used, which is slower and as correct.
extension Fields where Self: Model {
    public var properties: [any AnyProperty] {
        guard let layout = PropertyLayout.of(Self.self) else { return PropertyLayout.reflected(self) }
        return withExtendedLifetime(self) {
            let object = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
            return layout.readers.map { $0(object) }
        }
    }
}

/// Where a model type keeps its property wrappers (Fluent's are classes, stored in the instance by
/// reference), and how to read each. Shared between threads: each reader holds only an offset and a
/// property type, neither ever changed.
struct PropertyLayout: @unchecked Sendable {
    let readers: [(UnsafeRawPointer) -> any AnyProperty]

    static let known = Mutex<[ObjectIdentifier: PropertyLayout?]>([:])

    /// The layout of `type`, worked out on first use; nil if it cannot be (then reflection is used).
    static func of<M: Model>(_ type: M.Type) -> PropertyLayout? {
        if let layout = known.withLock({ $0[ObjectIdentifier(type)] }) { return layout }
        let layout = find(type)
        known.withLock { $0[ObjectIdentifier(type)] = layout }
        return layout
    }

    /// Each stored field whose type is a Fluent property, by its offset in the instance. Checked against
    /// reflection on a new instance — the same properties, in the same order — or not used at all.
    private static func find<M: Model>(_ type: M.Type) -> PropertyLayout? {
        guard _getSuperclass(type) == nil else { return nil }  // fields a superclass declares are not walked here
        var readers: [(UnsafeRawPointer) -> any AnyProperty] = []
        // `_EachFieldOptions.classType` (a `static var`, which strict concurrency will not let us read).
        let classType = _EachFieldOptions(rawValue: 1 << 0)
        let walked = _forEachField(of: type, options: classType) { _, offset, fieldType, _ in
            if let property = fieldType as? any AnyProperty.Type { readers.append(reader(property, at: offset)) }
            return true
        }
        guard walked else { return nil }
        let sample = M()
        let expected = reflected(sample)
        let found = withExtendedLifetime(sample) {
            let object = UnsafeRawPointer(Unmanaged.passUnretained(sample).toOpaque())
            return readers.map { $0(object) }
        }
        guard found.count == expected.count,
              zip(found, expected).allSatisfy({ ($0 as AnyObject) === ($1 as AnyObject) }) else { return nil }
        return PropertyLayout(readers: readers)
    }

    /// The model's properties as Fluent's own default finds them: by reflection.
    static func reflected(_ model: some Model) -> [any AnyProperty] {
        Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }
    }

    private static func reader<P: AnyProperty>(_: P.Type, at offset: Int) -> (UnsafeRawPointer) -> any AnyProperty {
        { $0.load(fromByteOffset: offset, as: P.self) }
    }
}
