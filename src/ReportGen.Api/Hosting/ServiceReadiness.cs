using System.Collections.Concurrent;

namespace ReportGen.Api.Hosting;

/// <summary>
/// What the service has loaded. Model hosts register the models they load; <c>/health/ready</c> is ready
/// only when every registered component reports loaded.
/// </summary>
public sealed class ServiceReadiness
{
    private readonly ConcurrentDictionary<string, ComponentState> _components = new(StringComparer.Ordinal);

    /// <summary>Declares a component that must load before the service is ready.</summary>
    public void Expect(string name) => _components.TryAdd(name, new ComponentState("loading", null));

    /// <summary>Marks a component loaded.</summary>
    public void Loaded(string name) => _components[name] = new ComponentState("loaded", null);

    /// <summary>Marks a component failed, with a reason safe to show.</summary>
    public void Failed(string name, string reason) => _components[name] = new ComponentState("failed", reason);

    /// <summary>True when every expected component has loaded.</summary>
    public bool IsReady => _components.Values.All(c => c.Status == "loaded");

    /// <summary>Each component's state.</summary>
    public IReadOnlyDictionary<string, ComponentState> Components => _components;
}

/// <summary>A component's load state.</summary>
/// <param name="Status">loading, loaded or failed.</param>
/// <param name="Reason">Why it failed.</param>
public sealed record ComponentState(string Status, string? Reason);
