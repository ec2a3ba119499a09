public enum PassesPlaceholder {}
