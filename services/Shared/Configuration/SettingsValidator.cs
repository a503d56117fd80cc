using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace SaliencySlider.Shared.Configuration;

/// <summary>
/// Checks the limits an options class declares with DataAnnotations (<see cref="RangeAttribute"/>) and names every
/// setting out of them by its configuration path ("Queue:Shards"), its environment variable and its value, so a
/// host refuses a bad setting at start with a message that says what to change, instead of clamping it.
/// </summary>
public sealed class SettingsValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var property in typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attributes = property.GetCustomAttributes<ValidationAttribute>().ToList();
            if (attributes.Count == 0)
            {
                continue;
            }

            var value = property.GetValue(options);
            var context = new ValidationContext(options) { MemberName = property.Name, DisplayName = $"{section}:{property.Name}" };
            foreach (var attribute in attributes)
            {
                if (attribute.GetValidationResult(value, context) is { ErrorMessage: { } message })
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"{message} It is {value} (environment variable {section}__{property.Name})."));
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
